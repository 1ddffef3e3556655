import AsyncHTTPClient
import Foundation
import NIOCore
import TockCore
import TockTestSupport
import XCTest

/// A shard and an executor, run as the real `tock` processes, export Prometheus metrics that parse and move with
/// the jobs, and with `--log-format json` log one JSON object per line naming the job and run.
final class ObservabilityTests: XCTestCase {
    var tock: TockHarness!
    var processes: [Process] = []
    var directory: URL!

    override func setUp() async throws {
        tock = try await TockHarness.start(shard: false, executor: false)
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tock-observe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDown() async throws {
        for process in processes where process.isRunning {
            process.stop()
        }
        await tock?.shutdown()
        try? FileManager.default.removeItem(at: directory)
    }

    func testMetricsParseAndMoveWithTheJobsAndLogsAreJSONLines() async throws {
        let shardURL = "http://127.0.0.1:\(freeLoopbackPort())"
        let executorURL = "http://127.0.0.1:\(freeLoopbackPort())"
        let shardLog = directory.appendingPathComponent("shard.log")
        let executorLog = directory.appendingPathComponent("executor.log")
        processes.append(
            try TockBinary.launch(
                [
                    "shard", "--data", directory.appendingPathComponent("data").path, "--http",
                    String(shardURL.dropFirst(7)),
                    "--nats-url", tock.nats.url, "--queue-sample-interval", "100ms", "--log-format", "json",
                    "--log-level", "debug",
                ], log: shardLog))
        let shard = ["shard": "0"]
        func priority(_ name: String) -> [String: String] { ["shard": "0", "priority": name] }

        let idle = try await eventually("the shard to lead") { () -> PrometheusText? in
            guard let metrics = try? await Self.metrics(shardURL), metrics.value("tock_raft_is_leader", shard) == 1
            else { return nil }
            return metrics
        }
        XCTAssertEqual(idle.value("tock_shard_jobs_submitted_total", priority("high")), 0)
        XCTAssertEqual(idle.value("tock_raft_has_leader", shard), 1)
        XCTAssertGreaterThanOrEqual(idle.value("tock_raft_term", shard) ?? 0, 1)
        XCTAssertEqual(idle.types["tock_shard_due_to_publish_lag_seconds"], "histogram")
        XCTAssertEqual(idle.types["tock_shard_runs_published_total"], "counter")
        XCTAssertFalse(idle.help["tock_shard_runs_published_total", default: ""].isEmpty)

        // With no executor running, two runs wait in the critical queue; the leader's sample shows them.
        var ids: [String: String] = [:]
        for name in ["critical-1", "critical-2"] {
            let reply = try await tock.submit(
                #"{"url": "\#(tock.sink.baseURL)/ok", "priority": "critical"}"#, base: shardURL)
            XCTAssertEqual(reply.status, 201)
            ids[name] = reply["id"]?.string
        }
        let queued = try await eventually("the critical queue's depth in /metrics") { () -> PrometheusText? in
            guard let metrics = try? await Self.metrics(shardURL),
                metrics.value("tock_stream_messages", priority("critical")) == 2
            else { return nil }
            return metrics
        }
        XCTAssertEqual(queued.value("tock_consumer_pending", priority("critical")), 2)
        XCTAssertEqual(queued.value("tock_stream_messages", priority("low")), 0)
        XCTAssertEqual(queued.value("tock_shard_jobs_submitted_total", priority("critical")), 2)
        XCTAssertEqual(queued.value("tock_shard_runs_published_total", priority("critical")), 2)
        XCTAssertEqual(queued.value("tock_shard_due_to_publish_lag_seconds_count", priority("critical")), 2)
        XCTAssertEqual(queued.value("tock_shard_runs_due_unpublished", shard), 0)

        // An executor runs them and two more, one of which its webhook refuses.
        processes.append(
            try TockBinary.launch(
                [
                    "executor", "--nats-url", tock.nats.url, "--metrics", String(executorURL.dropFirst(7)),
                    "--concurrency", "7",
                    "--allow-egress", "127.0.0.1", "--log-format", "json", "--log-level", "debug",
                ], log: executorLog))
        ids["high"] = try await tock.submit(
            #"{"url": "\#(tock.sink.baseURL)/ok", "priority": "high"}"#, base: shardURL)["id"]?.string
        ids["low"] = try await tock.submit(
            #"{"url": "\#(tock.sink.baseURL)/status/404", "priority": "low"}"#, base: shardURL)["id"]?.string
        for (name, id) in ids {
            _ = try await tock.waitForState(try XCTUnwrap(id), name == "low" ? "failed" : "succeeded", base: shardURL)
        }
        let done = try await eventually("the completions and the drained queue in /metrics") { () -> PrometheusText? in
            guard let metrics = try? await Self.metrics(shardURL),
                metrics.value("tock_shard_runs_completed_total", ["shard": "0", "outcome": "succeeded"]) == 3,
                metrics.value("tock_stream_messages", priority("critical")) == 0
            else { return nil }
            return metrics
        }
        XCTAssertEqual(done.value("tock_shard_runs_completed_total", ["shard": "0", "outcome": "failed"]), 1)
        XCTAssertEqual(done.value("tock_shard_jobs_submitted_total", priority("high")), 1)
        XCTAssertEqual(done.value("tock_shard_jobs_submitted_total", priority("low")), 1)
        XCTAssertEqual(done.sum("tock_shard_runs_published_total", matching: shard), 4)
        XCTAssertGreaterThanOrEqual(done.value("tock_raft_commit_index", shard) ?? 0, 6)

        let executor = try await Self.metrics(executorURL)
        XCTAssertEqual(executor.value("tock_executor_runs_succeeded_total", ["priority": "critical"]), 2)
        XCTAssertEqual(executor.value("tock_executor_runs_succeeded_total", ["priority": "high"]), 1)
        XCTAssertEqual(executor.value("tock_executor_runs_failed_total", ["priority": "low"]), 1)
        XCTAssertEqual(executor.value("tock_executor_due_to_webhook_seconds_count", ["priority": "critical"]), 2)
        XCTAssertEqual(executor.value("tock_executor_runs_in_flight", ["priority": "critical"]), 0)
        XCTAssertEqual(executor.value("tock_executor_concurrency"), 7)
        XCTAssertEqual(executor.types["tock_executor_due_to_webhook_seconds"], "histogram")

        // Every line of both logs is one JSON object; the events of the high job's run name it.
        let high = try XCTUnwrap(ids["high"])
        let shardEvents = try await eventually("the shard's log of the run's completion") {
            () -> [[String: JSONValue]]? in
            let events = try Self.jsonLines(shardLog)
            return events.contains { $0["message"] == .string("run done") && $0["job"] == .string(high) } ? events : nil
        }
        for message in ["job created", "run published", "run done"] {
            XCTAssertTrue(
                shardEvents.contains {
                    $0["message"] == .string(message) && $0["job"] == .string(high)
                        && $0["run"] == .string("1")
                }, "no \(message) line for \(high)")
        }
        let executorEvents = try Self.jsonLines(executorLog)
        XCTAssertTrue(
            executorEvents.contains {
                $0["message"] == .string("webhook delivered") && $0["job"] == .string(high)
                    && $0["run"] == .string("1")
            }, "no webhook delivered line for \(high)")
        for event in shardEvents + executorEvents {
            for key in ["time", "level", "logger", "message"] {
                XCTAssertNotNil(event[key], "\(key) missing in \(event)")
            }
        }
    }

    /// `GET /metrics`, parsed strictly.
    static func metrics(_ base: String) async throws -> PrometheusText {
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: base + "/metrics"), timeout: .seconds(5))
        XCTAssertEqual(response.status, .ok)
        XCTAssertEqual(response.headers.first(name: "content-type"), "text/plain; version=0.0.4; charset=utf-8")
        let body = try await response.body.collect(upTo: 1 << 22)
        return try PrometheusText(parsing: String(buffer: body))
    }

    /// The complete lines of a log written with `--log-format json`; fails on any line that is not a JSON object.
    static func jsonLines(_ url: URL) throws -> [[String: JSONValue]] {
        let text = try String(contentsOf: url, encoding: .utf8)
        return try text.split(separator: "\n").dropLast(text.hasSuffix("\n") ? 0 : 1).map { line in
            guard case .object(let object) = try JSONDecoder().decode(JSONValue.self, from: Data(line.utf8)) else {
                throw JSONLineError(line: String(line))
            }
            return object
        }
    }

    struct JSONLineError: Error {
        let line: String
    }
}
