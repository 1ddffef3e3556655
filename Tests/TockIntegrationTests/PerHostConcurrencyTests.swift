import TockCore
import TockTestSupport
import XCTest

/// However many runs for one host are due at once, the executor has at most `perHostConcurrency` calls open to it.
final class PerHostConcurrencyTests: XCTestCase {
    var tock: TockHarness!

    override func setUp() async throws {
        tock = try await TockHarness.start { $0.perHostConcurrency = 2 }
    }

    override func tearDown() async throws {
        await tock?.shutdown()
    }

    func testCallsToOneHostNeverExceedTheCap() async throws {
        // Due together: submitted with the same run_at, each call held open 300 ms by the sink.
        let dueAt = RFC3339.format(ns: SystemWallClock().nowNs() + 1_000_000_000)
        var ids: [String] = []
        for _ in 0..<8 {
            let created = try await tock.submit(#"{"url": "\#(tock.sink.baseURL)/slow/300", "run_at": "\#(dueAt)"}"#)
            ids.append(try XCTUnwrap(created["id"]?.string))
        }
        for id in ids { _ = try await tock.waitForState(id, "succeeded") }
        XCTAssertEqual(tock.sink.requests.count, 8)
        XCTAssertEqual(tock.sink.mostConcurrentRequests, 2)
    }
}
