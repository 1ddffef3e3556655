import Foundation
import TockCore
import TockTestSupport

/// Several shards of three `tock shard` processes each on loopback, all started from one config file whose
/// `shards:` list is the shard map, plus optionally a `tock router`. Each process logs to its own file.
final class ShardFleetProcesses: @unchecked Sendable {
    let shardCount: Int
    let names = ["n1", "n2", "n3"]
    let configURL: URL
    let routerPort = freeLoopbackPort()
    private let harness: TockHarness
    private let httpPorts: [[Int]]
    private let raftPorts: [[Int]]
    private var processes: [String: Process] = [:]
    /// Every label ever launched, so the logs of stopped processes can still be printed.
    private var launched: Set<String> = []
    /// Added to every shard's and the router's command line (e.g. `--auth-file`).
    var extraArguments: [String] = []
    /// The API key the fleet's own checks (`awaitLeader`) send; nil for an open API.
    var adminToken: String?

    init(harness: TockHarness, shards: Int) throws {
        self.harness = harness
        shardCount = shards
        httpPorts = (0..<shards).map { _ in (0..<3).map { _ in freeLoopbackPort() } }
        raftPorts = (0..<shards).map { _ in (0..<3).map { _ in freeLoopbackPort() } }
        configURL = harness.dataDirectory.appendingPathComponent("tock.yaml")
        var yaml = "shards:\n"
        for shard in 0..<shards {
            for (index, name) in names.enumerated() {
                yaml += index == 0 ? "  - " : "    "
                yaml +=
                    "\(name): {http: \"127.0.0.1:\(httpPorts[shard][index])\", "
                    + "raft: \"127.0.0.1:\(raftPorts[shard][index])\"}\n"
            }
        }
        try yaml.write(to: configURL, atomically: true, encoding: .utf8)
    }

    func base(shard: Int, node: String) -> String {
        "http://127.0.0.1:\(httpPorts[shard][names.firstIndex(of: node)!])"
    }

    var allBases: [String] { (0..<shardCount).flatMap { shard in names.map { base(shard: shard, node: $0) } } }
    var routerBase: String { "http://127.0.0.1:\(routerPort)" }

    func startAll() throws {
        for shard in 0..<shardCount {
            for node in names { try start(shard: shard, node: node) }
        }
    }

    func start(shard: Int, node: String) throws {
        let directory = harness.dataDirectory.appendingPathComponent("s\(shard)-\(node)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try launch(
            "s\(shard)-\(node)",
            [
                "shard", "--config", configURL.path, "--shard", "\(shard)", "--node", node, "--data", directory.path,
                "--nats-url", harness.nats.url, "--log-level", "info",
            ] + extraArguments)
    }

    func startRouter() throws {
        try launch(
            "router",
            [
                "router", "--config", configURL.path, "--http", "127.0.0.1:\(routerPort)", "--nats-url",
                harness.nats.url,
            ] + extraArguments)
    }

    private func launch(_ label: String, _ arguments: [String]) throws {
        processes[label] = try TockBinary.launch(arguments, log: logURL(label))
        launched.insert(label)
    }

    private func logURL(_ label: String) -> URL {
        harness.dataDirectory.appendingPathComponent("\(label).log")
    }

    func kill(shard: Int, node: String) {
        guard let process = processes.removeValue(forKey: "s\(shard)-\(node)") else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func stopAll() {
        for (_, process) in processes where process.isRunning {
            process.stop()
        }
        processes = [:]
    }

    func printLogs() {
        for label in launched.sorted() {
            guard let text = try? String(contentsOf: logURL(label), encoding: .utf8) else { continue }
            print(
                "----- \(label).log (last 40 lines)\n" + text.split(separator: "\n").suffix(40).joined(separator: "\n"))
        }
    }

    /// The leader all three nodes of `shard` agree on.
    func awaitLeader(
        shard: Int, among nodes: [String]? = nil, within limit: Duration = .seconds(20),
        where accept: @escaping (String) -> Bool = { _ in true }
    ) async throws -> String {
        let nodes = nodes ?? names
        return try await eventually(within: limit, "shard \(shard)'s nodes \(nodes) to agree on a leader") {
            try self.checkRunning(shard: shard, nodes: nodes)
            var leaders: Set<String> = []
            for node in nodes {
                let status = try? await self.harness.request(
                    .GET, "/v1/cluster", base: self.base(shard: shard, node: node),
                    headers: self.adminToken.map { [("Authorization", "Bearer \($0)")] } ?? [])
                guard let leader = status?["leader"]?.string else { return nil }
                leaders.insert(leader)
            }
            guard leaders.count == 1, let leader = leaders.first, accept(leader) else { return nil }
            return leader
        }
    }

    struct ExitedEarly: Error, CustomStringConvertible {
        let description: String
    }

    /// Throws at once, with the end of its log, if one of the nodes has exited: no leader would ever come.
    private func checkRunning(shard: Int, nodes: [String]) throws {
        for node in nodes {
            let label = "s\(shard)-\(node)"
            guard let process = processes[label], !process.isRunning else { continue }
            let log = (try? String(contentsOf: logURL(label), encoding: .utf8)) ?? ""
            throw ExitedEarly(
                description: "\(label) exited with status \(process.terminationStatus): "
                    + log.split(separator: "\n").suffix(5).joined(separator: "\n"))
        }
    }
}
