import Foundation
import TockCore
import TockExecutor
import TockModel
import TockNATS
import TockShard
import TockTestSupport
import TockWire
import XCTest

/// Two real `tock executor` processes share 1,000 slow jobs (200 ms webhooks, one host). One is killed with SIGKILL
/// while all 1,000 runs are fetched and unacked between them: every job still ends succeeded, at the sink and in
/// the shard, and the repeated webhook calls are only runs the killed executor held (in practice about its per-host
/// cap: the calls it had open). One is stopped with SIGTERM instead: it drains, exits 0, and no webhook
/// is called twice.
final class ExecutorLifecycleTests: XCTestCase {
    var tock: TockHarness!
    var executors: [Process] = []
    var configURL: URL!
    let jobs = 1000
    let concurrency = 500

    override func setUp() async throws {
        tock = try await TockHarness.start(executor: false)
        // A short ack wait, so the killed executor's runs come back within the test; runs waiting for a host slot
        // keep theirs alive with InProgress.
        configURL = tock.dataDirectory.appendingPathComponent("queues.yaml")
        let yaml = """
            executor: {concurrency: \(concurrency), fetch_batch: \(concurrency)}
            priorities: {normal: {ack_wait: 5s, backoff: [200ms]}}
            """
        try Data(yaml.utf8).write(to: configURL)
        let connection = try NATSConnection.connect(url: tock.nats.url)
        defer { connection.close() }
        try JetStreamSetup.apply(try QueueConfig.parse(yaml: yaml), to: try connection.jetStream())
    }

    override func tearDown() async throws {
        if (testRun?.totalFailureCount ?? 0) > 0 {
            print("sink requests: \(tock.sink.requests.count), distinct \(Set(tock.sink.requests.map(\.jobID)).count)")
            for id in ["exec-killed", "exec-survivor", "exec-drained", "exec-other"] {
                let url = tock.dataDirectory.appendingPathComponent("\(id).log")
                if let text = try? String(contentsOf: url, encoding: .utf8) {
                    print("--- \(id)\n" + text.split(separator: "\n").suffix(15).joined(separator: "\n"))
                }
            }
        }
        for process in executors where process.isRunning {
            process.stop()
        }
        await tock?.shutdown()
    }

    func startExecutor(_ id: String) throws -> Process {
        let process = Process()
        process.executableURL = try TockBinary.url()
        process.arguments = [
            "executor", "--config", configURL.path, "--nats-url", tock.nats.url, "--id", id, "--metrics", "off",
            "--allow-egress", "127.0.0.0/8",
            "--log-level", ProcessInfo.processInfo.environment["TOCK_EXEC_LOG"] ?? "warning",
        ]
        let log = tock.dataDirectory.appendingPathComponent("\(id).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: log)
        process.standardOutput = process.standardError
        try process.run()
        executors.append(process)
        return process
    }

    func submitSlowJobs() async throws {
        let tock: TockHarness = self.tock
        let perTask = jobs / 20
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    for _ in 0..<perTask {
                        let reply = try await tock.submit(#"{"url": "\#(tock.sink.baseURL)/slow/200"}"#)
                        XCTAssertEqual(reply.status, 201)
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// Waits until every job succeeded in the shard, then returns how many webhook calls repeated a job.
    func awaitAllSucceeded() async throws -> Int {
        let node = try XCTUnwrap(tock.node)
        var last: [JobState: Int] = [:]
        _ = try await eventually(within: .seconds(60), "all \(jobs) jobs to succeed in the shard; last \(last)") {
            last = try await node.jobCounts()
            return last[.succeeded] == jobs ? true : nil
        }
        let requests = tock.sink.requests
        let distinct = Set(requests.map(\.jobID))
        XCTAssertEqual(distinct.count, jobs, "jobs that reached the sink")
        return requests.count - distinct.count
    }

    func testKillingAnExecutorMidLoadLosesNothingAndRepeatsOnlyWhatWasInFlight() async throws {
        try await submitSlowJobs()
        let doomed = try startExecutor("exec-killed")
        _ = try startExecutor("exec-survivor")
        _ = try await eventually(within: .seconds(30), "the load under way") {
            tock.sink.requests.count >= 300 ? true : nil
        }
        kill(doomed.processIdentifier, SIGKILL)
        doomed.waitUntilExit()
        let duplicates = try await awaitAllSucceeded()
        // A repeat is a run the killed executor had called: at most its per-host cap of calls open at once (one
        // host), plus the few whose call had ended and whose completion it was publishing, which takes about 1% of
        // a 200 ms call. Its other fetched runs had not been called, so their redelivery repeats nothing.
        let cap = ExecutorConfiguration().perHostConcurrency
        print("kill -9 mid-load: \(duplicates) repeated webhook calls (per-host cap \(cap))")
        XCTAssertLessThanOrEqual(duplicates, 2 * cap, "more repeats than the killed executor had calls open")
    }

    func testSIGTERMDrainsWithoutAnyRepeatedCall() async throws {
        try await submitSlowJobs()
        let drained = try startExecutor("exec-drained")
        _ = try startExecutor("exec-other")
        _ = try await eventually(within: .seconds(30), "the load under way") {
            tock.sink.requests.count >= 300 ? true : nil
        }
        kill(drained.processIdentifier, SIGTERM)
        _ = try await eventually(within: .seconds(40), "the drained executor to exit") {
            drained.isRunning ? nil : true
        }
        XCTAssertEqual(drained.terminationStatus, 0, "a drained executor exits 0")
        let duplicates = try await awaitAllSucceeded()
        XCTAssertEqual(duplicates, 0, "a drained executor caused repeated webhook calls")
    }
}
