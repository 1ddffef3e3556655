import Foundation
import TockTestSupport
import XCTest

/// The executor's Prometheus exposition counts outcomes per priority and times webhooks.
final class ExecutorMetricsTests: XCTestCase {
    var tock: TockHarness!

    override func setUp() async throws {
        tock = try await TockHarness.start()
    }

    override func tearDown() async throws {
        await tock?.shutdown()
    }

    func testOutcomesAndLatencyArePerPriority() async throws {
        let ok = try await tock.submit(#"{"url": "\#(tock.sink.baseURL)/ok", "priority": "high"}"#)
        let refused = try await tock.submit(#"{"url": "\#(tock.sink.baseURL)/status/404", "priority": "low"}"#)
        _ = try await tock.waitForState(try XCTUnwrap(ok["id"]?.string), "succeeded")
        _ = try await tock.waitForState(try XCTUnwrap(refused["id"]?.string), "failed")
        let executor = try XCTUnwrap(tock.executor)
        let text = executor.prometheusExposition()
        for line in [
            #"tock_executor_runs_succeeded_total{priority="high"} 1"#,
            #"tock_executor_runs_failed_total{priority="low"} 1"#,
            #"tock_executor_runs_succeeded_total{priority="low"} 0"#,
            #"tock_executor_runs_fetched_total{priority="high"} 1"#,
            #"tock_executor_runs_in_flight{priority="high"} 0"#,
            #"tock_executor_webhook_duration_seconds_count{priority="high"} 1"#,
            #"tock_executor_webhook_duration_seconds_count{priority="low"} 1"#,
        ] {
            XCTAssertTrue(text.contains(line), "missing \(line) in:\n\(text)")
        }
        XCTAssertTrue(text.contains("# TYPE tock_executor_webhook_duration_seconds histogram"), text)
    }
}
