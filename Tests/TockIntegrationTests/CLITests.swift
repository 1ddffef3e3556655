import Foundation
import TockCore
import TockModel
import TockNATS
import TockTestSupport
import TockWire
import XCTest

/// The `tock` operator commands as a user runs them: exit codes and messages.
final class CLITests: XCTestCase {
    var tock: TockHarness!

    override func setUp() async throws {
        tock = try await TockHarness.start(executor: false)
    }

    override func tearDown() async throws {
        await tock?.shutdown()
    }

    func testNATSApplyIsIdempotentAndUsesTheConfig() throws {
        let root = TockBinary.repositoryRoot
        let config = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tock-layout-\(UUID().uuidString).json")
        try Data(#"{"shard_count": 2, "priorities": {"low": {"ack_wait": "45s"}}}"#.utf8).write(to: config)
        defer { try? FileManager.default.removeItem(at: config) }

        for _ in 0..<2 {
            let result = try TockBinary.run(
                ["nats", "apply", "--config", config.path, "--nats-url", tock.nats.url], in: root)
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertTrue(result.stdout.contains("consumer TOCK_DONE/tock-done-1:"), result.stdout)
        }
        let connection = try NATSConnection.connect(url: tock.nats.url)
        defer { connection.close() }
        let js = try connection.jetStream()
        for priority in Priority.allCases {
            XCTAssertEqual(try js.streamInfo(Subjects.jobsStream(priority: priority)).consumerCount, 1)
        }
        XCTAssertEqual(try js.streamInfo(Subjects.doneStream).consumerCount, 2)
        XCTAssertEqual(try js.streamInfo(Subjects.eventsStream).consumerCount, 1, "the executors' callback consumer")

        let shipped = try TockBinary.run(["nats", "apply", "--nats-url", tock.nats.url], in: root)
        XCTAssertEqual(shipped.status, 0, "the default nats/tock.yaml applies: \(shipped.stderr)")
    }

    func testARecurringJobFromTheCLIRunsAndIsPausedResumedAndListed() async throws {
        tock.startExecutor(backoffBase: .milliseconds(200))
        let server = ["--server", tock.shardURL]
        let submitted = try TockBinary.run(
            [
                "submit", "--url", "\(tock.sink.baseURL)/ok", "--cron", "@every 1s",
                "--overlap", "skip",
            ] + server)
        XCTAssertEqual(submitted.status, 0, submitted.stderr)
        let job = try JSONDecoder().decode(JSONValue.self, from: Data(submitted.stdout.utf8))
        let id = try XCTUnwrap(job["id"]?.string)
        XCTAssertEqual(job["schedule"]?["overlap"]?.string, "skip")
        _ = try await eventually(within: .seconds(15), "two runs at the webhook") {
            self.tock.sink.requests(forJob: id).count >= 2 ? true : nil
        }
        let runs = try TockBinary.run(["runs", id] + server)
        XCTAssertEqual(runs.status, 0, runs.stderr)
        XCTAssertTrue(runs.stdout.contains(#""run":1"#), runs.stdout)
        let paused = try TockBinary.run(["pause", id] + server)
        XCTAssertEqual(paused.status, 0, paused.stderr)
        XCTAssertTrue(paused.stdout.contains(#""paused":true"#), paused.stdout)
        XCTAssertEqual(try TockBinary.run(["resume", id] + server).status, 0)

        let oneTime = try TockBinary.run(["submit", "--url", "\(tock.sink.baseURL)/ok", "--delay", "1h"] + server)
        let other = try XCTUnwrap(
            try JSONDecoder().decode(JSONValue.self, from: Data(oneTime.stdout.utf8))["id"]?.string)
        let refused = try TockBinary.run(["pause", other] + server)
        XCTAssertEqual(refused.status, 1, "a one-time job cannot be paused")
        XCTAssertTrue(refused.stderr.contains("only a recurring job"), refused.stderr)
        let stray = try TockBinary.run(["submit", "--url", "http://h/x", "--time-zone", "UTC"] + server)
        XCTAssertNotEqual(stray.status, 0)
        XCTAssertTrue(stray.stderr.contains("--cron"), stray.stderr)
    }

    func testNATSApplyWithABadConfigNamesTheKeyAndExits1() throws {
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("tock-bad-\(UUID().uuidString).json")
        try Data(#"{"priorities": {"low": {"ack_wait": "never"}}}"#.utf8).write(to: config)
        defer { try? FileManager.default.removeItem(at: config) }
        let result = try TockBinary.run(["nats", "apply", "--config", config.path, "--nats-url", tock.nats.url])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("priorities.low.ack_wait"), result.stderr)
    }

    func testConfigCheckAcceptsTheShippedFilesAndNamesTheBadKey() throws {
        let root = TockBinary.repositoryRoot
        for file in ["nats/tock.yaml", "nats/tock-cluster.yaml"] {
            let result = try TockBinary.run(["config", "check", file], in: root)
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertTrue(result.stdout.contains("critical: weight 8 (53% under saturation)"), result.stdout)
        }
        let bad = FileManager.default.temporaryDirectory.appendingPathComponent("tock-bad-\(UUID().uuidString).yaml")
        try Data("priorities:\n  low: {weight: 0}\n".utf8).write(to: bad)
        defer { try? FileManager.default.removeItem(at: bad) }
        let result = try TockBinary.run(["config", "check", bad.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("priorities.low.weight"), result.stderr)
        let missing = try TockBinary.run(["config", "check", "/nonexistent/tock.yaml"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("cannot read /nonexistent/tock.yaml"), missing.stderr)
    }

    func testTheExecutorRereadsItsConfigOnSIGHUPAndKeepsTheOldOneWhenTheNewIsBad() async throws {
        let config = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tock-exec-\(UUID().uuidString).yaml")
        try Data("executor: {concurrency: 8}\n".utf8).write(to: config)
        defer { try? FileManager.default.removeItem(at: config) }
        let process = Process()
        process.executableURL = try TockBinary.url()
        let metricsPort = freeLoopbackPort()
        process.arguments = [
            "executor", "--config", config.path, "--nats-url", tock.nats.url,
            "--metrics", "127.0.0.1:\(metricsPort)", "--allow-egress", "127.0.0.1",
        ]
        let log = LineCollector()
        let err = Pipe()
        process.standardError = err
        err.fileHandleForReading.readabilityHandler = { log.append($0.availableData) }
        try process.run()
        defer {
            process.stop()
        }
        _ = try await eventually("the executor to start") { log.contains("executor starting") ? true : nil }

        try Data("executor: {concurrency: 3, scheduling: strict}\n".utf8).write(to: config)
        kill(process.processIdentifier, SIGHUP)
        _ = try await eventually("the reload to be logged") {
            log.contains("configuration reloaded") && log.contains("concurrency=3") && log.contains("scheduling=strict")
                ? true : nil
        }
        try Data("executor: {concurrency: none}\n".utf8).write(to: config)
        kill(process.processIdentifier, SIGHUP)
        _ = try await eventually("the bad file to be refused") {
            log.contains("configuration not reloaded") && log.contains("executor.concurrency") ? true : nil
        }
        XCTAssertTrue(process.isRunning, "a bad config on SIGHUP stopped the executor")

        // In force, not only logged: the gauge says 3, and 12 slow webhooks to one host (whose own cap is 16)
        // run at most 3 at a time, where the first file allowed 8.
        let metrics = try await eventually("the executor's /metrics") {
            try? await tock.request(.GET, "/metrics", base: "http://127.0.0.1:\(metricsPort)")
        }
        let exposition = try PrometheusText(parsing: metrics.text)
        XCTAssertEqual(exposition.value("tock_executor_concurrency"), 3, metrics.text)
        var ids: [String] = []
        for _ in 0..<12 {
            let reply = try await tock.submit(#"{"url": "\#(tock.sink.baseURL)/slow/300"}"#)
            ids.append(try XCTUnwrap(reply["id"]?.string, "\(reply.json)"))
        }
        for id in ids { _ = try await tock.waitForState(id, "succeeded", within: .seconds(30)) }
        XCTAssertEqual(tock.sink.mostConcurrentRequests, 3, "webhooks in flight at once after the reload to 3")
    }

    func testStatusJSONReportsEachPrioritysDepthAndTheShard() async throws {
        var ids: [String] = []
        for (priority, count) in [("critical", 2), ("low", 3)] {
            for _ in 0..<count {
                let reply = try await tock.submit(#"{"url": "http://127.0.0.1:9/x", "priority": "\#(priority)"}"#)
                ids.append(try XCTUnwrap(reply["id"]?.string))
            }
        }
        for id in ids { _ = try await tock.waitForState(id, "published") }
        let result = try TockBinary.run(["status", "--json", "--nats-url", tock.nats.url, "--server", tock.shardURL])
        XCTAssertEqual(result.status, 0, result.stderr)
        let report = try JSONDecoder().decode(JSONValue.self, from: Data(result.stdout.utf8))
        XCTAssertEqual(report["priorities"]?["critical"]?["depth"]?.int, 2, result.stdout)
        XCTAssertEqual(report["priorities"]?["low"]?["depth"]?.int, 3, result.stdout)
        XCTAssertEqual(report["priorities"]?["high"]?["depth"]?.int, 0, result.stdout)
        XCTAssertEqual(report["priorities"]?["low"]?["pending"]?.int, 3, result.stdout)
        XCTAssertNotNil(report["priorities"]?["low"]?["oldest_age_seconds"], result.stdout)
        let shard = report["shards"]?[tock.shardURL]
        XCTAssertEqual(shard?["cluster"]?["role"]?.string, "leader", result.stdout)
        XCTAssertEqual(shard?["jobs"]?["published"]?.int, 5, result.stdout)

        let text = try TockBinary.run(["status", "--nats-url", tock.nats.url, "--server", tock.shardURL])
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("leader n1"), text.stdout)
    }

    func testStatusShowsAnExecutorsOpenCircuitAndMetrics() async throws {
        let metricsPort = freeLoopbackPort()
        let process = Process()
        process.executableURL = try TockBinary.url()
        process.arguments = [
            "executor", "--nats-url", tock.nats.url, "--metrics", "127.0.0.1:\(metricsPort)",
            "--breaker-failures", "2", "--breaker-cooldown", "60s", "--backoff-base", "100ms",
            "--allow-egress", "127.0.0.1", "--log-level", "critical",
        ]
        try process.run()
        defer {
            process.stop()
        }
        let failing = try await tock.submit(#"{"url": "\#(tock.sink.baseURL)/always-fail", "max_attempts": 10}"#)
        XCTAssertEqual(failing.status, 201)
        let executorURL = "http://127.0.0.1:\(metricsPort)"
        let report = try await eventually(within: .seconds(20), "the executor's breaker to open") { () -> JSONValue? in
            let result = try TockBinary.run([
                "status", "--json", "--nats-url", tock.nats.url, "--server", tock.shardURL,
                "--executor", executorURL,
            ])
            guard result.status == 0,
                let report = try? JSONDecoder().decode(JSONValue.self, from: Data(result.stdout.utf8)),
                case .array(let circuits)? = report["executors"]?[executorURL]?["open_circuits"], !circuits.isEmpty
            else { return nil }
            return report
        }
        guard case .array(let circuits)? = report["executors"]?[executorURL]?["open_circuits"] else {
            return XCTFail("no circuits in \(report)")
        }
        XCTAssertEqual(circuits.first?["state"]?.string, "open")
        XCTAssertEqual(circuits.first?["host"]?.string, tock.sink.baseURL.replacingOccurrences(of: "http://", with: ""))
        let metrics = try await tock.request(.GET, "/metrics", base: executorURL)
        XCTAssertEqual(metrics.status, 200)
    }

    func testSubmitAndGetExitCodes() throws {
        let ok = try TockBinary.run([
            "submit", "--server", tock.shardURL, "--url", "http://127.0.0.1:9/x", "--delay", "1h",
        ])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        let id = try XCTUnwrap(try JSONDecoder().decode(JSONValue.self, from: Data(ok.stdout.utf8))["id"]?.string)

        let got = try TockBinary.run(["get", id, "--server", tock.shardURL])
        XCTAssertEqual(got.status, 0, got.stderr)
        XCTAssertTrue(got.stdout.contains(#""state":"scheduled""#), got.stdout)

        let bad = try TockBinary.run([
            "submit", "--server", tock.shardURL, "--url", "http://127.0.0.1:9/x", "--priority", "urgent",
        ])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("400 priority:"), bad.stderr)

        let missing = try TockBinary.run(["get", "0-01JDZZZZZZZZZZZZZZZZZZZZZZ", "--server", tock.shardURL])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("404"), missing.stderr)

        let cancelled = try TockBinary.run(["cancel", id, "--server", tock.shardURL])
        XCTAssertEqual(cancelled.status, 0, cancelled.stderr)

        let unreachable = try TockBinary.run(["get", id, "--server", "http://127.0.0.1:9"])
        XCTAssertEqual(unreachable.status, 2)
    }
}

extension CLITests {
    /// `tock retry` and `tock cancel`, by id and by filter: a job still to run cannot be retried (exit 1, 409); a
    /// filter cancels it and then retries it, printing how many.
    func testRetryAndCancelByIDAndByFilter() throws {
        let submitted = try TockBinary.run([
            "submit", "--server", tock.shardURL, "--url", "http://127.0.0.1:9/x",
            "--delay", "1h", "--priority", "low",
        ])
        XCTAssertEqual(submitted.status, 0, submitted.stderr)
        let id = try XCTUnwrap(
            try JSONDecoder().decode(JSONValue.self, from: Data(submitted.stdout.utf8))["id"]?.string)

        let early = try TockBinary.run(["retry", id, "--server", tock.shardURL])
        XCTAssertEqual(early.status, 1)
        XCTAssertTrue(early.stderr.contains("409 id:"), early.stderr)

        let otherHost = try TockBinary.run(["cancel", "--host", "example.com", "--server", tock.shardURL])
        XCTAssertEqual(otherHost.status, 0, otherHost.stderr)
        XCTAssertEqual(otherHost.stdout, #"{"affected":0}"# + "\n")
        let cancelled = try TockBinary.run([
            "cancel", "--state", "scheduled", "--priority", "low", "--host", "127.0.0.1",
            "--server", tock.shardURL,
        ])
        XCTAssertEqual(cancelled.status, 0, cancelled.stderr)
        XCTAssertEqual(cancelled.stdout, #"{"affected":1}"# + "\n")

        let retried = try TockBinary.run([
            "retry", "--state", "cancelled", "--since", "1h", "--batch", "1",
            "--server", tock.shardURL,
        ])
        XCTAssertEqual(retried.status, 0, retried.stderr)
        XCTAssertEqual(retried.stdout, #"{"affected":1}"# + "\n")
        let got = try TockBinary.run(["get", id, "--server", tock.shardURL])
        // Due now: published at once (no executor runs here).
        XCTAssertTrue(got.stdout.contains(#""run":2"#) && !got.stdout.contains(#""state":"cancelled""#), got.stdout)

        let both = try TockBinary.run(["retry", id, "--state", "failed", "--server", tock.shardURL])
        XCTAssertNotEqual(both.status, 0)
        XCTAssertTrue(both.stderr.contains("not both"), both.stderr)
        let badSince = try TockBinary.run(["retry", "--since", "soon", "--server", tock.shardURL])
        XCTAssertEqual(badSince.status, 1)
        XCTAssertTrue(badSince.stderr.contains("400 since:"), badSince.stderr)
    }
}

/// Collects a process's output as it arrives, for tests that wait for a line.
final class LineCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var text = ""

    func append(_ data: Data) {
        lock.withLock { text += String(decoding: data, as: UTF8.self) }
    }

    func contains(_ fragment: String) -> Bool {
        lock.withLock { text.contains(fragment) }
    }
}
