import Foundation
import TockCore
import TockModel
import TockNATS
import TockTestSupport
import XCTest

/// `tock shard` configured through the environment alone (TOCK_<FLAG> and NATS_URL), reached by a CLI that finds
/// it through TOCK_SERVER.
final class EnvironmentConfigurationTests: XCTestCase {
    var nats: NATSServerProcess!
    var work: URL!
    var shard: Process?

    override func setUp() async throws {
        nats = try NATSServerProcess.start()
        work = FileManager.default.temporaryDirectory.appendingPathComponent("tock-env-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    }

    override func tearDown() async throws {
        shard?.stop()
        nats = nil
        try? FileManager.default.removeItem(at: work)
    }

    func testAShardConfiguredOnlyThroughTheEnvironmentTakesAJobFromTheCLI() async throws {
        // The streams from the built-in defaults, NATS found through NATS_URL, from a directory with no nats/.
        let apply = try TockBinary.run(["nats", "apply"], in: work, environment: ["NATS_URL": nats.url])
        XCTAssertEqual(apply.status, 0, apply.stderr)
        XCTAssertTrue(apply.stderr.contains("queue config: built-in defaults"), apply.stderr)

        let data = work.appendingPathComponent("from-environment")
        let server = "http://127.0.0.1:\(freeLoopbackPort())"
        let log = work.appendingPathComponent("shard.log")
        let shard = try TockBinary.launch(
            ["shard"], log: log, in: work,
            environment: [
                "TOCK_DATA": data.path, "TOCK_HTTP": String(server.dropFirst("http://".count)),
                "NATS_URL": nats.url,
            ])
        self.shard = shard
        let submitted = try await eventually(within: .seconds(30), "the shard to take a submit") {
            guard shard.isRunning else {
                XCTFail("the shard exited: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
                throw CancellationError()
            }
            let result = try TockBinary.run(
                ["submit", "--url", "http://127.0.0.1:9/x", "--delay", "1h"], environment: ["TOCK_SERVER": server])
            return result.status == 0 ? result : nil
        }
        XCTAssertTrue(submitted.stdout.contains(#""state":"scheduled""#), submitted.stdout)
        XCTAssertFalse(
            try FileManager.default.contentsOfDirectory(atPath: data.path).isEmpty, "the store is in TOCK_DATA")
        XCTAssertFalse(FileManager.default.fileExists(atPath: work.appendingPathComponent("data").path), "not ./data")

        // NATS_URL reached the shard: a job due now is published to its stream.
        let now = try TockBinary.run(
            ["submit", "--url", "http://127.0.0.1:9/x"], environment: ["TOCK_SERVER": server])
        XCTAssertEqual(now.status, 0, now.stderr)
        let connection = try NATSConnection.connect(url: nats.url)
        defer { connection.close() }
        let js = try connection.jetStream()
        _ = try await eventually(within: .seconds(15), "the due job in TOCK_JOBS_NORMAL") {
            try js.streamInfo(Subjects.jobsStream(priority: .normal)).messages >= 1 ? true : nil
        }
    }

    func testAMalformedVariableIsRefusedNamingIt() throws {
        let tick = try refusal(["TOCK_TICK_MS": "fast", "NATS_URL": nats.url])
        XCTAssertTrue(tick.contains("'fast' is invalid for '--tick-ms"), tick)
        XCTAssertTrue(tick.contains("TOCK_TICK_MS"), tick)
        let join = try refusal(["TOCK_JOIN": "maybe"])
        XCTAssertTrue(join.contains("TOCK_JOIN (for --join) must be"), join)
    }

    /// The output of a `tock shard` that must refuse to start; one that starts anyway is stopped and fails the test.
    private func refusal(_ environment: [String: String]) throws -> String {
        let log = work.appendingPathComponent("refused-\(UUID().uuidString).log")
        let shard = try TockBinary.launch(
            ["shard", "--data", work.path, "--http", "127.0.0.1:\(freeLoopbackPort())"], log: log, in: work,
            environment: environment)
        if !shard.waitForExit(within: .seconds(15)) {
            shard.stop()
            XCTFail("tock shard started with \(environment)")
        }
        XCTAssertNotEqual(shard.terminationStatus, 0)
        return (try? String(contentsOf: log, encoding: .utf8)) ?? ""
    }
}
