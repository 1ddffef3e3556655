import TockCore
import TockExecutor
import TockTestSupport
import XCTest

/// A host that keeps failing opens its breaker: for the cool-down no run calls it (the sink hears nothing), runs
/// are deferred without using up attempts, and afterwards one probe decides.
final class CircuitBreakerDeliveryTests: XCTestCase {
    var tock: TockHarness!
    let coolDown: Duration = .seconds(2)

    override func setUp() async throws {
        let coolDown = coolDown
        tock = try await TockHarness.start {
            $0.circuitBreaker = CircuitBreakerPolicy(failureThreshold: 3, coolDown: coolDown)
        }
    }

    override func tearDown() async throws {
        await tock?.shutdown()
    }

    func testFailingHostOpensTheBreakerAndRunsWaitOutTheCoolDownWithoutCallingIt() async throws {
        let executor = try XCTUnwrap(tock.executor)
        let failing = try await tock.submit(#"{"url": "\#(tock.sink.baseURL)/always-fail", "max_attempts": 4}"#)
        let failingID = try XCTUnwrap(failing["id"]?.string)
        _ = try await eventually("three failed attempts") { tock.sink.requests.count >= 3 ? true : nil }
        let open = try await eventually("the breaker to open") { executor.stats.openCircuits.first }
        XCTAssertEqual(open.host, "127.0.0.1:\(tock.sink.port)")
        guard case .open = open.phase else { return XCTFail("expected open, got \(open.phase)") }

        // A healthy job for the same host, due now, is held back too.
        let healthy = try await tock.submit(#"{"url": "\#(tock.sink.baseURL)/ok"}"#)
        let healthyID = try XCTUnwrap(healthy["id"]?.string)
        _ = try await eventually("both runs to be deferred") { executor.stats.deferred >= 2 ? true : nil }
        XCTAssertEqual(tock.sink.requests.count, 3, "a deferred run called the host")

        let done = try await tock.waitForState(healthyID, "succeeded")
        XCTAssertEqual(done["attempts"]?.int, 1, "deferrals are not attempts")
        XCTAssertEqual(tock.sink.requests(forJob: healthyID).map { $0.headers["tock-attempt"] }, ["1"])

        let received = tock.sink.requests
        let openedAfter = received[2].receivedAtNs
        let quietMs = (received[3].receivedAtNs - openedAfter) / 1_000_000
        XCTAssertGreaterThanOrEqual(quietMs, coolDown.milliseconds - 10, "the host was called during the cool-down")

        let failed = try await tock.waitForState(failingID, "failed")
        XCTAssertEqual(failed["attempts"]?.int, 4, "deferrals are not attempts")
        XCTAssertEqual(tock.sink.requests(forJob: failingID).count, 4)
    }
}
