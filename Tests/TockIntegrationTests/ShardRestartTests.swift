import Foundation
import NIOHTTP1
import TockTestSupport
import XCTest

/// A shard process killed with SIGKILL between a submit and the job's due time still delivers the job
/// after it restarts: the submit was acknowledged only once durable.
final class ShardRestartTests: XCTestCase {
    var tock: TockHarness!
    var shardProcess: Process?

    override func setUp() async throws {
        tock = try await TockHarness.start(shard: false)
    }

    override func tearDown() async throws {
        if let shardProcess, shardProcess.isRunning {
            shardProcess.stop()
        }
        await tock?.shutdown()
    }

    func testShardKilledBetweenSubmitAndDueTimeStillDeliversAfterRestart() async throws {
        let port = freeLoopbackPort()
        let base = "http://127.0.0.1:\(port)"
        shardProcess = try await startShard(port: port)

        let created = try await tock.submit(#"{"url": "\#(tock.sink.baseURL)/ok", "delay": "2s"}"#, base: base)
        XCTAssertEqual(created.status, 201)
        let id = try XCTUnwrap(created["id"]?.string)

        let killed = try XCTUnwrap(shardProcess)
        kill(killed.processIdentifier, SIGKILL)
        killed.waitUntilExit()
        XCTAssertEqual(tock.sink.requests(forJob: id).count, 0, "delivered before its due time")

        shardProcess = try await startShard(port: port)
        _ = try await tock.waitForState(id, "succeeded", base: base)
        XCTAssertEqual(tock.sink.requests(forJob: id).count, 1)
    }

    private func startShard(port: Int) async throws -> Process {
        let process = Process()
        process.executableURL = try TockBinary.url()
        process.arguments = [
            "shard", "--data", tock.dataDirectory.path, "--http", "127.0.0.1:\(port)",
            "--nats-url", tock.nats.url, "--log-level", "warning",
        ]
        try process.run()
        _ = try await eventually("the shard process to serve /healthz") {
            (try? await tock.request(.GET, "/healthz", base: "http://127.0.0.1:\(port)"))?.status == 200 ? true : nil
        }
        return process
    }
}
