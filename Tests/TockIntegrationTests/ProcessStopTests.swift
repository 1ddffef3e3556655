import Foundation
import TockTestSupport
import XCTest

/// Long-running commands stop on SIGTERM whatever state the broker is in.
final class ProcessStopTests: XCTestCase {
    var tock: TockHarness!
    var process: Process?

    override func setUp() async throws {
        tock = try await TockHarness.start(shard: false, executor: false)
    }

    override func tearDown() async throws {
        if let process, process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        await tock?.shutdown()
    }

    /// Before, the shard's NATS job API waited out a 10 s drain per subject, one after the other, for a drain
    /// that cannot complete with the server gone: the process was still running 30 s after SIGTERM.
    func testAShardWhoseBrokerDiedStopsOnSIGTERM() async throws {
        let port = freeLoopbackPort()
        let log = tock.dataDirectory.appendingPathComponent("shard.log")
        let shard = try TockBinary.launch(
            [
                "shard", "--data", tock.dataDirectory.path, "--http", "127.0.0.1:\(port)",
                "--nats-url", tock.nats.url,
            ], log: log)
        process = shard
        _ = try await eventually(within: .seconds(30), "the shard to lead and serve its job API on NATS") {
            (try? String(contentsOf: log, encoding: .utf8))?.contains("job API serving on NATS") == true ? true : nil
        }
        tock.nats.stop()
        _ = try await eventually("the shard to notice the broker is gone") {
            (try? String(contentsOf: log, encoding: .utf8))?.contains("NATS connection lost") == true ? true : nil
        }
        let signalled = ContinuousClock.now
        kill(shard.processIdentifier, SIGTERM)
        _ = try await eventually(within: .seconds(10), "the shard to exit within its 10 s drain timeout") {
            shard.isRunning ? nil : true
        }
        XCTAssertEqual(shard.terminationStatus, 0, "a clean stop")
        XCTAssertLessThan(ContinuousClock.now - signalled, .seconds(10))
    }

    /// Starts `tock <arguments>`, waits until its log shows `started`, then SIGTERMs it: it must exit 0 within
    /// `within`.
    /// With `brokerDies`, nats-server is stopped once it has started, and the signal waits for it to notice.
    /// Started means its log shows `started`, or its `/readyz` at `readyAt` answers 200.
    func stopsOnSIGTERM(
        _ arguments: [String], startedWhen started: String = "", readyAt: String? = nil,
        brokerDies: Bool = false, within limit: Duration = .seconds(10)
    ) async throws {
        let log = tock.dataDirectory.appendingPathComponent("\(arguments[0])-\(UUID().uuidString).log")
        let started_ = try TockBinary.launch(arguments, log: log)
        process = started_
        _ = try await eventually(within: .seconds(30), "tock \(arguments[0]) to log \"\(started)\" or be ready") {
            if let readyAt {
                return (try? await tock.request(.GET, "/readyz", base: readyAt))?.status == 200 ? true : nil
            }
            return (try? String(contentsOf: log, encoding: .utf8))?.contains(started) == true ? true : nil
        }
        if brokerDies {
            tock.nats.stop()
            _ = try await eventually("tock \(arguments[0]) to notice the broker is gone") {
                (try? String(contentsOf: log, encoding: .utf8))?.contains("NATS connection lost") == true ? true : nil
            }
        }
        kill(started_.processIdentifier, SIGTERM)
        let signalled = ContinuousClock.now
        _ = try await eventually(within: limit, "tock \(arguments[0]) to exit after SIGTERM") {
            started_.isRunning ? nil : true
        }
        print("tock \(arguments[0]) stopped \(ContinuousClock.now - signalled) after SIGTERM")
        XCTAssertEqual(started_.terminationStatus, 0, "a clean stop")
    }

    /// A NATS URL nothing listens on.
    var nowhere: String { "nats://127.0.0.1:\(freeLoopbackPort())" }

    func testAShardThatNeverReachedNATSStops() async throws {
        try await stopsOnSIGTERM(
            [
                "shard", "--data", tock.dataDirectory.appendingPathComponent("a").path,
                "--http", "127.0.0.1:\(freeLoopbackPort())", "--nats-url", nowhere,
            ],
            startedWhen: "NATS not reachable")
    }

    func testAShardWhosePeersAreUnreachableStops() async throws {
        let (raft, http) = ((0..<3).map { _ in freeLoopbackPort() }, (0..<3).map { _ in freeLoopbackPort() })
        let peers = (0..<3).map { "n\($0 + 1)=127.0.0.1:\(raft[$0])" }.joined(separator: ",")
        let peerHTTP = (0..<3).map { "n\($0 + 1)=127.0.0.1:\(http[$0])" }.joined(separator: ",")
        try await stopsOnSIGTERM(
            [
                "shard", "--data", tock.dataDirectory.appendingPathComponent("b").path,
                "--node", "n1", "--peers", peers, "--peer-http", peerHTTP,
                "--http", "127.0.0.1:\(http[0])", "--nats-url", tock.nats.url,
            ],
            startedWhen: "shard HTTP API listening")
    }

    func testARouterWithNothingReachableStops() async throws {
        let map = tock.dataDirectory.appendingPathComponent("map.yaml")
        try "shards:\n  - n1: {http: \"127.0.0.1:\(freeLoopbackPort())\"}\n".write(
            to: map, atomically: true,
            encoding: .utf8)
        try await stopsOnSIGTERM(
            [
                "router", "--config", map.path, "--http", "127.0.0.1:\(freeLoopbackPort())",
                "--nats-url", nowhere,
            ], startedWhen: "router HTTP API listening")
    }

    func testTheSinkStops() async throws {
        try await stopsOnSIGTERM(
            ["sink", "--listen", "127.0.0.1:\(freeLoopbackPort())"],
            startedWhen: "webhook sink listening")
    }

    func testAnExecutorThatNeverReachedNATSStopsAtOnce() async throws {
        // Before, its drain waited out the whole --drain-timeout: the fetch loops waited for the broker.
        try await stopsOnSIGTERM(
            [
                "executor", "--nats-url", nowhere, "--drain-timeout", "60s",
                "--metrics", "127.0.0.1:\(freeLoopbackPort())",
            ],
            startedWhen: "NATS not reachable", within: .seconds(5))
    }

    func testAnExecutorWhoseBrokerDiedStops() async throws {
        let metrics = freeLoopbackPort()
        try await stopsOnSIGTERM(
            [
                "executor", "--nats-url", tock.nats.url, "--drain-timeout", "60s",
                "--metrics", "127.0.0.1:\(metrics)",
            ],
            readyAt: "http://127.0.0.1:\(metrics)", brokerDies: true, within: .seconds(5))
    }

    func testARouterWhoseBrokerDiedStops() async throws {
        let map = tock.dataDirectory.appendingPathComponent("map.yaml")
        try "shards:\n  - n1: {http: \"127.0.0.1:\(freeLoopbackPort())\"}\n".write(
            to: map, atomically: true,
            encoding: .utf8)
        try await stopsOnSIGTERM(
            [
                "router", "--config", map.path, "--http", "127.0.0.1:\(freeLoopbackPort())",
                "--nats-url", tock.nats.url,
            ], startedWhen: "job API serving on NATS",
            brokerDies: true)
    }

    /// The first SIGTERM starts the executor's drain, which waits for the webhook in flight; the second stops it now.
    func testASecondSignalStopsAtOnce() async throws {
        try await tock.startShard()
        let log = tock.dataDirectory.appendingPathComponent("executor.log")
        let executor = try TockBinary.launch(
            [
                "executor", "--nats-url", tock.nats.url, "--drain-timeout", "60s",
                "--metrics", "off", "--allow-egress", "127.0.0.1",
            ], log: log)
        process = executor
        let created = try await tock.submit(#"{"url": "\#(tock.sink.baseURL)/slow/60000", "timeout": "90s"}"#)
        XCTAssertEqual(created.status, 201)
        _ = try await eventually(within: .seconds(30), "the webhook to be in flight") {
            tock.sink.requests.isEmpty ? nil : true
        }
        kill(executor.processIdentifier, SIGTERM)
        _ = try await eventually("the executor to start draining") {
            (try? String(contentsOf: log, encoding: .utf8))?.contains("draining") == true ? true : nil
        }
        XCTAssertTrue(executor.isRunning, "the drain waits for the webhook in flight")
        kill(executor.processIdentifier, SIGTERM)
        _ = try await eventually(within: .seconds(5), "the executor to stop on the second signal") {
            executor.isRunning ? nil : true
        }
        XCTAssertEqual(executor.terminationStatus, 128 + SIGTERM)
    }
}
