import Foundation
import TockCore
import TockTestSupport
import XCTest

/// The leader's due-timer holds only runs due within its window (here 1 s ahead, at most 8 runs); runs beyond it
/// wait in SQLite and are still delivered, on time, once index scans reach them.
final class DueWindowDeliveryTests: XCTestCase {
    var tock: TockHarness!
    static let capacity = 8

    override func setUp() async throws {
        tock = try await TockHarness.start(shard: false)
        try await tock.startShard { configuration in
            configuration.dueWindow = .seconds(1)
            configuration.dueWindowCapacity = Self.capacity
        }
    }

    override func tearDown() async throws {
        await tock?.shutdown()
    }

    func testAJobDueBeyondTheHorizonIsNotHeldYetIsDeliveredWhenTheWindowReachesIt() async throws {
        let created = try await tock.submit(#"{"url": "\#(tock.sink.baseURL)/later", "delay": "3s"}"#)
        XCTAssertEqual(created.status, 201, "\(created.json)")
        let id = try XCTUnwrap(created["id"]?.string)
        let dueAt = try XCTUnwrap(RFC3339.parseNs(try XCTUnwrap(created["run_at"]?.string)))
        // A submit is answered before the due-timer hears of its run, so a second write is the barrier: the Raft
        // loop hands each applied entry's runs to the timer before it takes the next proposal.
        let barrier = try await tock.submit(#"{"url": "\#(tock.sink.baseURL)/much-later", "delay": "1h"}"#)
        XCTAssertEqual(barrier.status, 201, "\(barrier.json)")
        let held = await tock.node?.dueTimerHeld()
        XCTAssertEqual(held, 0, "a run 3 s ahead is beyond a 1 s window")

        _ = try await tock.waitForState(id, "succeeded", within: .seconds(15))
        let received = try XCTUnwrap(tock.sink.requests(forJob: id).first)
        XCTAssertGreaterThanOrEqual(received.receivedAtNs, dueAt, "delivered no earlier than due")
        XCTAssertLessThan(received.receivedAtNs - dueAt, 2_000_000_000, "and soon after")
    }

    func testManyJobsSomeAtOneInstantAreAllDeliveredWhileTheHeapStaysWithinItsCapacity() async throws {
        let start = Date().addingTimeInterval(2)
        let instant = RFC3339.format(ns: Int64(start.addingTimeInterval(1).timeIntervalSince1970 * 1e9))
        var jobs: [String] = []
        for i in 0..<20 {
            jobs.append(#"{"url": "\#(tock.sink.baseURL)/same", "run_at": "\#(instant)"}"#)
            let at = RFC3339.format(ns: Int64(start.addingTimeInterval(Double(i) * 0.1).timeIntervalSince1970 * 1e9))
            jobs.append(#"{"url": "\#(tock.sink.baseURL)/spread", "run_at": "\#(at)"}"#)
        }
        let reply = try await tock.request(
            .POST, "/v1/jobs:batch", body: #"{"jobs": [\#(jobs.joined(separator: ","))]}"#)
        XCTAssertEqual(reply.status, 200, "\(reply.json)")
        guard case .array(let results)? = reply["results"] else { return XCTFail("no results: \(reply.json)") }
        let ids = results.compactMap { $0["job"]?["id"]?.string }
        XCTAssertEqual(ids.count, 40)

        var mostHeld = 0
        _ = try await eventually(within: .seconds(20), "all 40 jobs delivered") {
            mostHeld = max(mostHeld, await tock.node?.dueTimerHeld() ?? 0)
            let delivered = Set(ids.filter { !tock.sink.requests(forJob: $0).isEmpty })
            return delivered.count == ids.count ? true : nil
        }
        XCTAssertLessThanOrEqual(mostHeld, Self.capacity)
        for id in ids { _ = try await tock.waitForState(id, "succeeded") }
    }
}
