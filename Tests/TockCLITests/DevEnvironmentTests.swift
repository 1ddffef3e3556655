import Foundation
import TockCore
import XCTest

@testable import TockCLI

/// What `tock dev` and `tock nats apply` need from around them: a queue config (built in unless a file is given or
/// present), a nats-server (on PATH or in /usr/sbin) and its config (built in, the settings of nats/dev.conf).
final class DevEnvironmentTests: XCTestCase {
    func testTheQueueConfigIsBuiltInUnlessAFileIsGivenOrPresent() throws {
        let (builtIn, source) = try QueueConfigFile.resolve(explicit: nil, fileExists: { _ in false })
        XCTAssertEqual(builtIn, QueueConfig())
        XCTAssertEqual(source, "built-in defaults")

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tock-queues-\(UUID()).yaml")
        try "shard_count: 3\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let (given, from) = try QueueConfigFile.resolve(explicit: file.path, fileExists: { _ in false })
        XCTAssertEqual(given.shardCount, 3, "the file overrides the defaults")
        XCTAssertEqual(given.executor, QueueConfig().executor, "and keeps the ones it does not name")
        XCTAssertEqual(from, file.path)

        XCTAssertThrowsError(try QueueConfigFile.resolve(explicit: "/nonexistent/tock.yaml")) { error in
            XCTAssertEqual("\(error)", "cannot read /nonexistent/tock.yaml", "a file named and missing is an error")
        }
    }

    func testNATSServerIsFoundOnPATHThenInSbin() throws {
        let present: Set = ["/opt/nats/bin/nats-server", "/usr/sbin/nats-server"]
        XCTAssertEqual(
            try NATSServerLocator.find(path: "/usr/bin:/opt/nats/bin", isExecutable: present.contains),
            "/opt/nats/bin/nats-server")
        XCTAssertEqual(
            try NATSServerLocator.find(path: "/usr/bin:/bin", isExecutable: present.contains), "/usr/sbin/nats-server")
        XCTAssertThrowsError(try NATSServerLocator.find(path: "/usr/bin", isExecutable: { _ in false })) { error in
            XCTAssertEqual(
                "\(error)",
                "nats-server not found on PATH or in /usr/sbin or /usr/local/sbin; install it (apt-get install "
                    + "nats-server) or pass --nats-url")
        }
    }

    /// nats/dev.conf stays the documented example of what `tock dev` runs: its settings, apart from the
    /// addresses that come from flags, are the built-in ones.
    func testTheBuiltInNATSServerConfigHoldsTheSettingsOfDevConf() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../nats/dev.conf")
        let settings = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") && !$0.hasPrefix("listen:") && !$0.hasPrefix("http:") }
        let builtIn = DevNATSServerConfig.text(monitor: nil).split(separator: "\n")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        XCTAssertEqual(builtIn, settings)
        XCTAssertTrue(
            DevNATSServerConfig.text(monitor: ("127.0.0.1", 8222)).hasPrefix("http: \"127.0.0.1:8222\"\n"))
    }
}
