import Foundation
import TockTestSupport

/// One single-node `tock shard` process against a harness's nats-server: its own data directory, HTTP on a free
/// loopback port, its log in `shard.log` in the harness's data directory.
final class ShardProcess: @unchecked Sendable {
    // Mutated only from the test's own task, between awaits.
    private let harness: TockHarness
    private let port = freeLoopbackPort()
    private var process: Process?

    init(harness: TockHarness) {
        self.harness = harness
    }

    var base: String { "http://127.0.0.1:\(port)" }

    /// Starts the shard and returns once it leads its one-node group.
    func start() async throws {
        let directory = harness.dataDirectory.appendingPathComponent("shard")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        process = try TockBinary.launch(
            [
                "shard", "--data", directory.path, "--http", "127.0.0.1:\(port)", "--nats-url", harness.nats.url,
                "--log-level", "warning",
            ], log: logURL)
        _ = try await eventually(within: .seconds(20), "the shard process to lead") {
            (try? await harness.request(.GET, "/v1/cluster", base: base))?["leader"]?.string
        }
    }

    func stop() {
        process?.stop()
        process = nil
    }

    /// The end of the shard's log, for a failed test.
    func printLog() {
        let text = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
        print("----- shard.log (last 40 lines)\n" + text.split(separator: "\n").suffix(40).joined(separator: "\n"))
    }

    private var logURL: URL { harness.dataDirectory.appendingPathComponent("shard.log") }
}
