import AsyncHTTPClient
import Logging
import TockAuth
import TockCore
import TockShard

/// Everything a node or router needs to take job calls from clients: the routing gateway over the shard map and,
/// on a shard node, that node's own shard for the calls it leads or that were forwarded to it.
public final class FrontDoor: Sendable {
    public let map: ShardMap
    public let policy: SubmitPolicy
    /// Routes each call to its owning shard's leader.
    public let gateway: any JobGateway
    /// Who may call, over HTTP and NATS alike; open without `--auth-file`.
    public let guardian: APIGuard
    /// Serves calls that name this node's shard (`tock-shard` header) without routing them on; nil on a router.
    let local: LocalShardJobs?
    /// Finds shard leaders for the gateway; asked for a router's readiness.
    let leaders: ShardLeaders
    private let clock: any WallClock

    /// Forwarded calls fail fast when a node is down (connect within a second, no reconnect loop) so the next
    /// node of the shard is tried while the call's deadline still has room.
    /// `tls` says which CA `https://` nodes are verified against.
    static func client(_ tls: HTTPTLS = HTTPTLS()) -> HTTPClient {
        PeerHTTPClients.client("front-door", tls: tls) { configuration in
            configuration.timeout = .init(connect: .seconds(1))
            configuration.connectionPool.retryConnectionEstablishment = false
            configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        }
    }

    /// A shard node's front door. `map` nil means the node's shard is the only one (it must be shard 0), with
    /// the nodes its Raft configuration names.
    public convenience init(node: ShardNode, map given: ShardMap?, keys: APIKeys? = nil, logger: Logger)
        throws(ShardConfigurationError)
    {
        let configuration = node.configuration
        let map: ShardMap
        if let given { map = given } else { map = try Self.singleShardMap(configuration) }
        guard map.contains(shard: configuration.shard) else {
            throw ShardConfigurationError(
                "shard \(configuration.shard) is not in the shard map, which has \(map.shardCount) shards")
        }
        self.init(
            map: map, local: LocalShardJobs(node: node), policy: configuration.submitPolicy,
            guardian: APIGuard(keys: keys), clock: node.clock, tls: configuration.httpTLS,
            sender: "\(configuration.shard)/\(configuration.cluster.nodeID)", logger: logger)
    }

    /// A router's front door: no shard of its own. `tls` names the CA that `https://` shard nodes are verified
    /// against.
    public convenience init(
        map: ShardMap, policy: SubmitPolicy = .init(), keys: APIKeys? = nil, name: String,
        tls: HTTPTLS = HTTPTLS(), logger: Logger
    ) {
        self.init(
            map: map, local: nil, policy: policy, guardian: APIGuard(keys: keys), clock: SystemWallClock(),
            tls: tls, sender: name, logger: logger)
    }

    init(
        map: ShardMap, local: LocalShardJobs?, policy: SubmitPolicy, guardian: APIGuard, clock: any WallClock,
        tls: HTTPTLS, sender: String, logger: Logger
    ) {
        self.map = map
        self.local = local
        self.policy = policy
        self.guardian = guardian
        self.clock = clock
        leaders = ShardLeaders(map: map, sender: sender, client: Self.client(tls), clock: clock, logger: logger) {
            [local] shard in
            guard let local, local.shard == shard, let leader = local.node.cluster.leader else { return nil }
            return local.node.httpAddress(of: leader)
        }
        gateway = RoutingGateway(map: map, local: local, leaders: leaders)
    }

    func nowNs() -> Int64 { clock.nowNs() }

    private static func singleShardMap(_ configuration: ShardConfiguration) throws(ShardConfigurationError) -> ShardMap
    {
        guard configuration.shard == 0 else {
            throw ShardConfigurationError(
                "shard \(configuration.shard) needs a shard map (shards: in --config) so jobs can be routed to it")
        }
        var addresses = configuration.cluster.peerHTTP
        addresses[configuration.cluster.nodeID] = configuration.httpAddress
        return ShardMap(shards: [addresses.map { ShardMap.Node(name: $0.key, http: $0.value) }])
    }
}
