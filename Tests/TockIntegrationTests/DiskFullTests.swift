import Foundation
import TockTestSupport
import XCTest

/// A shard whose disk fills up answers `503 storage_full`, loses nothing it acknowledged, and carries on by itself
/// once space returns. On a small tmpfs, so it needs root (mount); skipped otherwise.
final class DiskFullTests: XCTestCase {
    var tock: TockHarness!
    var shard: Process?
    var mountPoint: URL!
    var mounted = false

    override func setUp() async throws {
        tock = try await TockHarness.start(shard: false, executor: false)
        mountPoint = tock.dataDirectory.appendingPathComponent("small")
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        guard Self.sh("mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", mountPoint.path) == 0 else {
            throw XCTSkip("cannot mount a tmpfs here (not root?)")
        }
        mounted = true
    }

    override func tearDown() async throws {
        if let shard, shard.isRunning {
            kill(shard.processIdentifier, SIGKILL)
            shard.waitUntilExit()
        }
        if mounted { _ = Self.sh("umount", mountPoint.path) }
        await tock?.shutdown()
    }

    static func sh(_ arguments: String...) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }

    func submit(_ key: String, base: String) async throws -> TockHarness.Reply {
        let body = String(repeating: "x", count: 4000)
        return try await tock.request(
            .POST, "/v1/jobs",
            body: """
                {"url": "http://127.0.0.1:9/x", "delay": "1h", "body": "\(body)", "idempotency_key": "\(key)"}
                """, base: base)
    }

    func testAFullDiskRefusesSubmitsLosesNothingAndRecoversWhenSpaceReturns() async throws {
        let port = freeLoopbackPort()
        let base = "http://127.0.0.1:\(port)"
        let log = tock.dataDirectory.appendingPathComponent("shard.log")
        shard = try TockBinary.launch(
            [
                "shard", "--data", mountPoint.appendingPathComponent("data").path,
                "--http", "127.0.0.1:\(port)", "--nats-url", tock.nats.url,
            ], log: log)
        _ = try await eventually(within: .seconds(30), "the shard to be ready") {
            (try? await tock.request(.GET, "/readyz", base: base))?.status == 200 ? true : nil
        }

        var acknowledged: [String: String] = [:]
        var full: TockHarness.Reply?
        for i in 0..<3000 where full == nil {
            let reply = try await submit("k\(i)", base: base)
            if [200, 201].contains(reply.status), let id = reply["id"]?.string {
                acknowledged["k\(i)"] = id
            } else if reply["error"]?["code"]?.string == "storage_full" {
                full = reply
            }
        }
        let refused = try XCTUnwrap(full, "3 MB filled without a storage_full answer")
        XCTAssertEqual(refused.status, 503)
        XCTAssertNotNil(refused.headers.first(name: "Retry-After"))
        XCTAssertGreaterThan(acknowledged.count, 10)
        XCTAssertEqual(shard?.isRunning, true, "the node stays up")
        let notReady = try await tock.request(.GET, "/readyz", base: base)
        XCTAssertEqual(notReady.status, 503)
        XCTAssertTrue("\(notReady.json)".contains("the disk is full"), "\(notReady.json)")

        XCTAssertEqual(Self.sh("mount", "-o", "remount,size=32m", mountPoint.path), 0)
        _ = try await eventually(within: .seconds(15), "the shard to write again by itself") {
            (try? await tock.request(.GET, "/readyz", base: base))?.status == 200 ? true : nil
        }
        for i in 5000..<5010 {
            let reply = try await submit("k\(i)", base: base)
            XCTAssertEqual(reply.status, 201)
        }
        for (key, id) in acknowledged {
            let reply = try await tock.request(.GET, "/v1/jobs/\(id)", base: base)
            XCTAssertEqual(reply.status, 200, "acknowledged job \(key) (\(id)) lost")
        }
    }
}
