import TockCore
import TockTestSupport
import XCTest

/// A flow's retries obey its rate: a failed attempt comes back through the shard as the job's next run, paced
/// with the flow's other runs, instead of being redelivered by JetStream at the executor's back-off.
final class FlowRetryTests: XCTestCase {
    var tock: TockHarness!

    override func setUp() async throws {
        // The host's circuit breaker would open on the first attempts' failures and defer the rest: not what this is
        // about.
        tock = try await TockHarness.start(backoffBase: .milliseconds(100)) {
            $0.circuitBreaker = CircuitBreakerPolicy(failureThreshold: 1_000)
        }
    }

    override func tearDown() async throws {
        await tock?.shutdown()
    }

    func testFailedAttemptsAreRetriedAtTheFlowsRateWithTheirAttemptsCounted() async throws {
        // Each job's webhook fails twice, then succeeds: 3 calls a job, 24 in all, at most 4 a second.
        var ids: [String] = []
        for index in 0..<8 {
            let created = try await tock.submit(
                #"{"url": "\#(tock.sink.baseURL)/fail/2/\#(index)", "max_attempts": 5, "#
                    + #""flow": {"key": "fragile", "rate": "4/s"}}"#)
            ids.append(try XCTUnwrap(created["id"]?.string))
        }
        for id in ids {
            let job = try await tock.waitForState(id, "succeeded", within: .seconds(30))
            XCTAssertEqual(job["attempts"]?.int, 3, id)
            XCTAssertEqual(job["run"]?.int, 3, "each retry is the job's next run: \(id)")
            let calls = tock.sink.requests(forJob: id)
            XCTAssertEqual(calls.compactMap { $0.headers["tock-attempt"] }, ["1", "2", "3"], id)
            XCTAssertEqual(calls.compactMap { $0.headers["tock-run"] }, ["1", "2", "3"], id)
        }
        let arrivals = tock.sink.requests.map(\.receivedAtNs).sorted()
        XCTAssertEqual(arrivals.count, 24)
        var most = 0
        var low = 0
        for high in arrivals.indices {
            while arrivals[high] - arrivals[low] >= 1_000_000_000 { low += 1 }
            most = max(most, high - low + 1)
        }
        // 4 a second at the publish, evenly spaced; one more for the executor's jitter.
        XCTAssertLessThanOrEqual(most, 5, "calls in the busiest second")
        XCTAssertGreaterThanOrEqual(arrivals[arrivals.count - 1] - arrivals[0], 5_000_000_000, "24 calls at 4/s")
    }
}
