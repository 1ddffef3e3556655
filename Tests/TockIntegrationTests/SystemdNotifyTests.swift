import Foundation
import TockTestSupport
import XCTest

/// `tock shard` as a `Type=notify` unit sees it: READY=1 once it serves, watchdog pings, STOPPING=1 on SIGTERM.
final class SystemdNotifyTests: XCTestCase {
    var tock: TockHarness!
    var shard: Process?
    var socketPath = ""
    var fd: Int32 = -1

    override func setUp() async throws {
        tock = try await TockHarness.start(shard: false, executor: false)
        socketPath = tock.dataDirectory.appendingPathComponent("notify.sock").path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(socketPath.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        XCTAssertEqual(bound, 0, "bind \(socketPath)")
    }

    override func tearDown() async throws {
        if let shard, shard.isRunning {
            kill(shard.processIdentifier, SIGKILL)
            shard.waitUntilExit()
        }
        close(fd)
        await tock?.shutdown()
    }

    /// The datagrams waiting now (the pings keep coming, so this must not wait for a lull).
    func received() -> [String] {
        var messages: [String] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            guard count > 0 else { return messages }
            messages.append(String(decoding: buffer.prefix(count), as: UTF8.self))
        }
    }

    func testAShardTellsSystemdItIsReadyAliveAndStopping() async throws {
        let process = Process()
        process.executableURL = try TockBinary.url()
        process.arguments = [
            "shard", "--data", tock.dataDirectory.path, "--http", "127.0.0.1:\(freeLoopbackPort())",
            "--nats-url", tock.nats.url, "--log-level", "warning",
        ]
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["NOTIFY_SOCKET": socketPath, "WATCHDOG_USEC": "1000000"]) { _, given in given }
        try process.run()
        shard = process
        var seen: [String] = []
        _ = try await eventually(within: .seconds(30), "READY=1 and a watchdog ping") {
            seen += received()
            return seen.contains("READY=1") && seen.contains("WATCHDOG=1") ? true : nil
        }
        kill(process.processIdentifier, SIGTERM)
        _ = try await eventually("STOPPING=1 after SIGTERM") {
            seen += received()
            return seen.contains("STOPPING=1") ? true : nil
        }
        _ = try await eventually("the shard to exit") { process.isRunning ? nil : true }
        XCTAssertEqual(process.terminationStatus, 0)
        XCTAssertLessThan(seen.firstIndex(of: "READY=1")!, seen.firstIndex(of: "STOPPING=1")!)
    }
}
