import AsyncHTTPClient
import Foundation
import NIOCore
import TockTestSupport
import XCTest

/// The parts start in any order: a shard and an executor started before the streams exist pick work up once
/// `tock nats apply` has made them.
final class StartOrderTests: XCTestCase {
    var nats: NATSServerProcess!
    var sink: WebhookSink!
    var work: URL!
    var processes: [Process] = []

    override func setUp() async throws {
        nats = try NATSServerProcess.start()
        sink = try await WebhookSink.start()
        work = FileManager.default.temporaryDirectory.appendingPathComponent("tock-order-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    }

    override func tearDown() async throws {
        for process in processes where process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        sink?.stop()
        nats = nil
        try? FileManager.default.removeItem(at: work)
    }

    func logged(_ text: String, in log: URL) -> Bool? {
        (try? String(contentsOf: log, encoding: .utf8))?.contains(text) == true ? true : nil
    }

    func testAShardAndAnExecutorStartedBeforeTheStreamsWorkOnceTheyExist() async throws {
        let port = freeLoopbackPort()
        let shardLog = work.appendingPathComponent("shard.log")
        let executorLog = work.appendingPathComponent("executor.log")
        processes.append(
            try TockBinary.launch(
                [
                    "shard", "--data", work.appendingPathComponent("data").path,
                    "--http", "127.0.0.1:\(port)", "--nats-url", nats.url,
                ], log: shardLog))
        processes.append(
            try TockBinary.launch(
                [
                    "executor", "--nats-url", nats.url, "--metrics", "off",
                    "--allow-egress", "127.0.0.1",
                ], log: executorLog))
        _ = try await eventually(within: .seconds(30), "the executor to find no consumer") {
            logged("fetch failed; retrying", in: executorLog)
        }
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/jobs")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: #"{"url": "\#(sink.baseURL)/ok"}"#))
        let submitted = try await eventually(within: .seconds(30), "the shard to take a submit") {
            let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(5))
            return response?.status.code == 201 ? true : nil
        }
        XCTAssertTrue(submitted)
        _ = try await eventually("the shard to fail publishing to the missing stream") {
            logged("publish failed; will retry", in: shardLog)
        }
        XCTAssertTrue(sink.requests.isEmpty)

        let apply = try TockBinary.run([
            "nats", "apply", "--nats-url", nats.url, "--config",
            TockBinary.repositoryRoot.appendingPathComponent("nats/tock.yaml").path,
        ])
        XCTAssertEqual(apply.status, 0, apply.stderr)
        _ = try await eventually(within: .seconds(30), "the job to reach the sink once the streams exist") {
            sink.requests.count == 1 ? true : nil
        }
    }
}
