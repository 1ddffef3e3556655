import ArgumentParser
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import TockAuth
import TockCore
import TockFrontDoor
import TockShard

struct ShardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shard", abstract: "Run one shard node: the job store, its HTTP API and the due-timer.",
        discussion: EnvironmentArguments.serviceHelp,
        subcommands: [StatusCommand.self, TransferLeaderCommand.self, AddNodeCommand.self, RemoveNodeCommand.self])

    @Option(help: "Shard number.") var shard: UInt32 = 0
    @Option(help: "Directory for the node's SQLite file.") var data: String = "./data"
    @Option(
        help: ArgumentHelp(
            "Config file (as nats/tock.yaml). Its shards: list is the shard map jobs are routed by; this node's entry "
                + "there gives --http, and the shard's raft addresses give --peers and --peer-http, unless those are set.",
            valueName: "file"))
    var config: String?
    @Option(help: "HTTP API address (default 127.0.0.1:7070).") var http: String?
    @Option(help: "Largest job body accepted, in bytes.") var maxBodyBytes: Int = 256 * 1024
    @OptionGroup var httpLimits: HTTPLimitOptions
    @OptionGroup var auth: AuthFileOption
    @Option(
        help: ArgumentHelp(
            "How long a submit's idempotency_key dedupes after its job was created (e.g. 24h, 7d); a later submit with "
                + "the key creates a new job. 0 keeps keys forever.",
            valueName: "duration"))
    var idempotencyRetention: String = "24h"
    @OptionGroup var retention: RetentionOptions
    @Option(help: "This node's name in the shard's Raft group.") var node: String = "n1"
    @Option(
        help: ArgumentHelp(
            "Raft addresses of every node of the shard, this one included: n1=HOST:PORT,n2=HOST:PORT,... "
                + "Omit for a shard of one node."))
    var peers: String?
    @Option(help: "HTTP API addresses of the shard's nodes (n1=HOST:PORT,...), so followers forward to the leader.")
    var peerHttp: String?
    @Flag(
        help: ArgumentHelp(
            "Join an existing shard: wait for `tock shard add-node` on its leader instead of starting a new group. "
                + "--peers must list this node and the current nodes."))
    var join = false
    @Option(help: "Milliseconds per Raft tick; elections start after 10-20 ticks without a leader.")
    var tickMs: Int = 50
    @Option(help: "Snapshot the job tables and compact the Raft log every this many applied entries.")
    var snapshotEvery: UInt64 = 50_000
    @Option(help: "How far ahead the leader holds scheduled runs in memory (e.g. 5m); later runs wait in SQLite.")
    var dueWindow: String = "5m"
    @Option(help: "Most scheduled runs the leader holds in memory at once.")
    var dueWindowCapacity: Int = 100_000
    @Option(help: "How often the leader samples the JetStream queues and the runs due but unpublished for /metrics.")
    var queueSampleInterval: String = "5s"
    @Option(
        help: ArgumentHelp(
            "How many flows get a flow label of their own in /metrics (those with the most runs held back); the "
                + "others are summed under flow=\"(other)\". 0: totals only.",
            valueName: "count"))
    var flowMetricsKeys: Int = 20
    @Option(
        help: ArgumentHelp(
            "How late a recurring job's run may be published before it counts as missed and its misfire policy "
                + "(run_once, skip) applies, e.g. 60s. Only the leader's setting matters.",
            valueName: "duration"))
    var misfireThreshold: String = "60s"
    @OptionGroup var reconcile: ReconcileOptions
    @OptionGroup var raftPeer: RaftPeerOptions
    @OptionGroup var nats: NATSOptions
    @OptionGroup var tls: TLSOptions
    @OptionGroup var logging: LoggingOptions

    func shardMap() throws -> ShardMap? {
        guard let config else { return nil }
        return try loadQueueConfig(path: config).shardMap
    }

    func configuration(map: ShardMap?) throws -> ShardConfiguration {
        var configuration = ShardConfiguration(dataDirectory: data)
        configuration.shard = shard
        configuration.natsURL = nats.natsURL
        configuration.natsSecurity = try nats.natsSecurity()
        configuration.httpTLS = try tls.httpTLS()
        var http = self.http
        var peers = self.peers
        var peerHttp = self.peerHttp
        if let map {
            let nodes = map.nodes(of: shard)
            guard let me = nodes.first(where: { $0.name == node }) else {
                throw ValidationError("the shard map in \(config ?? "--config") has no node \(node) in shard \(shard)")
            }
            http = http ?? me.http.description
            peerHttp = peerHttp ?? nodes.map { "\($0.name)=\($0.http)" }.joined(separator: ",")
            if peers == nil, nodes.count > 1 || me.raft != nil {
                guard nodes.allSatisfy({ $0.raft != nil }) else {
                    throw ValidationError(
                        "shard \(shard) in the shard map needs a raft address for every node, or --peers")
                }
                peers = nodes.map { "\($0.name)=\($0.raft!)" }.joined(separator: ",")
            }
        }
        (configuration.httpHost, configuration.httpPort) = try parseHostPort(http ?? "127.0.0.1:7070", option: "--http")
        configuration.submitPolicy.maxBodyBytes = maxBodyBytes
        configuration.httpLimits = try httpLimits.limits()
        guard let retention = DurationText.parse(idempotencyRetention) else {
            throw ValidationError("--idempotency-retention must be a duration such as 24h, or 0 to keep keys forever")
        }
        configuration.idempotencyRetention = retention
        try self.retention.apply(to: &configuration)
        configuration.cluster.nodeID = node
        configuration.cluster.join = join
        try raftPeer.apply(to: &configuration.cluster)
        if let peers { configuration.cluster.peers = try parseNodeAddresses(peers, option: "--peers") }
        if let peerHttp { configuration.cluster.peerHTTP = try parseNodeAddresses(peerHttp, option: "--peer-http") }
        configuration.cluster.peerHTTP[node] = configuration.httpAddress
        configuration.cluster.tick = .milliseconds(tickMs)
        configuration.cluster.snapshotEvery = snapshotEvery
        guard let window = DurationText.parse(dueWindow) else {
            throw ValidationError("--due-window must be a duration such as 5m")
        }
        configuration.dueWindow = window
        configuration.dueWindowCapacity = dueWindowCapacity
        guard let sample = DurationText.parse(queueSampleInterval) else {
            throw ValidationError("--queue-sample-interval must be a duration such as 5s")
        }
        configuration.queueSampleInterval = sample
        configuration.flowMetricsKeys = flowMetricsKeys
        guard let misfire = DurationText.parse(misfireThreshold) else {
            throw ValidationError("--misfire-threshold must be a duration such as 60s")
        }
        configuration.misfireThreshold = misfire
        try reconcile.apply(to: &configuration)
        if let config { configuration.queues = try loadQueueConfig(path: config) }
        do {
            try configuration.validate()
        } catch {
            throw ValidationError(error.description)
        }
        return configuration
    }

    func run() async throws {
        let logger = try logging.makeLogger("tock.shard")
        SecondSignal.install()
        FileSizeLimit.reportAsWriteError()
        let map = try shardMap()
        let (keys, reloader) = try auth.load(logger: logger)
        defer { reloader?.cancel() }
        let services = try await Self.services(try configuration(map: map), map: map, keys: keys, logger: logger)
        try await ServiceGroup(
            configuration: .init(
                services: (services + [SystemdNotifyService()]).map { .init(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        ).run()
    }

    static func services(_ configuration: ShardConfiguration, map: ShardMap?, keys: APIKeys?, logger: Logger)
        async throws -> [any Service]
    {
        let node = try await ShardNode(configuration: configuration, logger: logger)
        let frontDoor = try FrontDoor(node: node, map: map, keys: keys, logger: logger)
        let api = try FrontDoorServer.shardApplication(node: node, frontDoor: frontDoor, logger: logger) { port in
            logger.info(
                "shard HTTP API listening",
                metadata: ["address": "\(configuration.httpHost):\(port)", "shard": "\(configuration.shard)"])
            SystemdNotify.send("READY=1")
        }
        let nats = JobNATSService(
            frontDoor: frontDoor, natsURL: configuration.natsURL,
            natsSecurity: configuration.natsSecurity,
            name: "tock-api-\(configuration.shard)-\(configuration.cluster.nodeID)", logger: logger)
        return [
            api, TaskService("shard-\(configuration.shard)") { try await node.run() },
            TaskService("nats-api") { try await nats.run() },
        ]
    }
}

/// "n1=127.0.0.1:7101,n2=127.0.0.1:7102" → ["n1": 127.0.0.1:7101, ...].
func parseNodeAddresses(_ text: String, option: String) throws -> [String: HostPort] {
    var result: [String: HostPort] = [:]
    for item in text.split(separator: ",", omittingEmptySubsequences: false) {
        let parts = item.split(separator: "=", maxSplits: 1)
        guard parts.count == 2, !parts[0].isEmpty else {
            throw ValidationError("\(option) must be NODE=HOST:PORT,..., e.g. n1=127.0.0.1:7101 (got \"\(item)\")")
        }
        // https://HOST:PORT for a node that serves HTTPS (--peer-http).
        guard let address = HostPort(parsing: String(parts[1])) else {
            throw ValidationError("\(option) must be NODE=HOST:PORT,..., e.g. n1=127.0.0.1:7101 (got \"\(item)\")")
        }
        guard result.updateValue(address, forKey: String(parts[0])) == nil else {
            throw ValidationError("\(option) names \(parts[0]) twice")
        }
    }
    return result
}

extension ShardCommand {
    struct StatusCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status", abstract: "Show a shard node's view of its Raft group: role, leader, term, indexes.")

        @OptionGroup var server: ServerOption

        func run() async throws {
            try await server.client.send(.GET, "/v1/cluster")
        }
    }

    struct AddNodeCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-node",
            abstract: "Add a node (already started with --join) to the shard: learner, caught up, then voter.")

        @OptionGroup var server: ServerOption
        @Argument(help: "The new node's name, e.g. n4.") var node: String
        // Not --http: that is `tock shard`'s own option, which the parser would take for it.
        @Option(help: "The new node's Raft address, HOST:PORT.") var raftAddress: String
        @Option(help: "The new node's HTTP API address, HOST:PORT, or https://HOST:PORT when it serves TLS.")
        var httpAddress: String

        func run() async throws {
            let body = try JSONSerialization.data(withJSONObject: [
                "node": node, "raft": raftAddress, "http": httpAddress,
            ])
            try await server.client.send(.POST, "/v1/cluster/nodes", json: body)
        }
    }

    struct RemoveNodeCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove-node", abstract: "Remove a node from the shard's Raft group, e.g. one that died.")

        @OptionGroup var server: ServerOption
        @Argument(help: "The node to remove.") var node: String

        func run() async throws {
            try await server.client.send(.DELETE, "/v1/cluster/nodes/\(node)")
        }
    }

    struct TransferLeaderCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "transfer-leader",
            abstract: "Hand the shard's leadership to another node, e.g. before restarting the leader.")

        @OptionGroup var server: ServerOption
        @Option(help: "The node to hand leadership to.") var to: String

        func run() async throws {
            let body = try JSONSerialization.data(withJSONObject: ["to": to])
            try await server.client.send(.POST, "/v1/cluster/transfer-leader", json: body)
        }
    }
}
