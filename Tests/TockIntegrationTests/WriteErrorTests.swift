import Foundation
import TockTestSupport
import XCTest

/// A shard whose SQLite write fails for a reason other than a full disk (here a file-size limit, `ulimit -f`, which
/// makes write(2) fail with EFBIG) cannot know its state is sound, so it stops: a clear error and exit status 1 for
/// its supervisor to restart it, not a crash and not a hang. Nothing it acknowledged is lost across the restart.
/// Runs as any user: lowering a limit needs no privilege.
final class WriteErrorTests: XCTestCase {
    var tock: TockHarness!
    var shard: Process?

    override func setUp() async throws {
        tock = try await TockHarness.start(shard: false, executor: false)
    }

    override func tearDown() async throws {
        if let shard, shard.isRunning {
            kill(shard.processIdentifier, SIGKILL)
            shard.waitUntilExit()
        }
        await tock?.shutdown()
    }

    /// `tock <arguments>` under `ulimit -f <blocks>` (1 KiB blocks), logging to `log`.
    func launchLimited(fileBlocks: Int, _ arguments: [String], log logURL: URL) throws -> Process {
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: logURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments =
            ["-c", "ulimit -f \(fileBlocks) && exec \"$0\" \"$@\"", try TockBinary.url().path]
            + arguments
        process.standardOutput = log
        process.standardError = log
        try process.run()
        return process
    }

    func testAWriteErrorStopsTheShardWithStatusOneAndLosesNothing() async throws {
        let port = freeLoopbackPort()
        let base = "http://127.0.0.1:\(port)"
        let data = tock.dataDirectory.appendingPathComponent("data").path
        let arguments = ["shard", "--data", data, "--http", "127.0.0.1:\(port)", "--nats-url", tock.nats.url]
        let log = tock.dataDirectory.appendingPathComponent("shard.log")
        let limited = try launchLimited(fileBlocks: 2048, arguments, log: log)
        shard = limited
        _ = try await eventually(within: .seconds(30), "the shard to be ready") {
            (try? await tock.request(.GET, "/readyz", base: base))?.status == 200 ? true : nil
        }

        var acknowledged: [String] = []
        var refused: TockHarness.Reply?
        for _ in 0..<3000 where limited.isRunning && refused == nil {
            let reply = try? await tock.request(
                .POST, "/v1/jobs",
                body: """
                    {"url": "http://127.0.0.1:9/x", "delay": "1h", "body": "\(String(repeating: "x", count: 4000))"}
                    """, base: base)
            guard let reply else { break }  // the process is gone
            if reply.status == 201, let id = reply["id"]?.string {
                acknowledged.append(id)
            } else {
                refused = reply
            }
        }
        XCTAssertGreaterThan(acknowledged.count, 10)
        if let refused {
            XCTAssertEqual(refused.status, 503, "\(refused.json)")
            XCTAssertNotNil(refused["error"]?["code"]?.string, "\(refused.json)")
        }
        _ = try await eventually(within: .seconds(20), "the shard to exit after its write error") {
            limited.isRunning ? nil : true
        }
        let text = try String(contentsOf: log, encoding: .utf8)
        XCTAssertEqual(limited.terminationReason, .exit, "killed by a signal, not exited:\n\(text.suffix(2000))")
        XCTAssertEqual(limited.terminationStatus, 1, text.suffix(2000).description)
        XCTAssertTrue(text.contains("disk I/O error"), text.suffix(2000).description)

        let restarted = try TockBinary.launch(arguments, log: log)
        shard = restarted
        _ = try await eventually(within: .seconds(30), "the restarted shard to be ready") {
            (try? await tock.request(.GET, "/readyz", base: base))?.status == 200 ? true : nil
        }
        for id in acknowledged {
            let reply = try await tock.request(.GET, "/v1/jobs/\(id)", base: base)
            XCTAssertEqual(reply.status, 200, "acknowledged job \(id) lost")
        }
    }
}
