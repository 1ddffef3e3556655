import TockCore
import XCTest

/// While JetStream is down, submits still succeed and due runs wait in the shard; they are published when it
/// returns (Sources/ARCHITECTURE.md, invariant 5).
final class BrokerOutageTests: XCTestCase {
    var tock: TockHarness!

    override func setUp() async throws {
        tock = try await TockHarness.start()
    }

    override func tearDown() async throws {
        await tock?.shutdown()
    }

    func testJobsSubmittedWhileNATSIsDownAreDeliveredWhenItReturns() async throws {
        tock.nats.stop()
        var ids: [String] = []
        for i in 0..<5 {
            let created = try await tock.submit(#"{"url": "\#(tock.sink.baseURL)/ok", "body": "during outage \#(i)"}"#)
            XCTAssertEqual(created.status, 201, "a submit must not need the broker: \(created.json)")
            ids.append(try XCTUnwrap(created["id"]?.string))
        }
        // Give the due-timer time to try and fail while the broker is away.
        try await Task.sleep(for: .seconds(1))
        for id in ids {
            let job = try await tock.job(id)
            XCTAssertEqual(job["state"]?.string, "scheduled", "published without a broker: \(job.json)")
        }

        try tock.nats.restart()
        for id in ids { _ = try await tock.waitForState(id, "succeeded", within: .seconds(30)) }
        for id in ids { XCTAssertGreaterThanOrEqual(tock.sink.requests(forJob: id).count, 1) }
    }
}
