import TockCore
import TockShard

/// scheduled-db's `GET /debug/cluster` (its `ClusterDebugResponse`): this node's view of its Raft group,
/// `{"node_id", "is_leader", "leader", "raft_state", "servers": [{"id", "address"}], "job_count"}`.
///
/// The ids are Tock's Raft node names (`n1`), so `node_id` is one of the `servers`, as hashicorp/raft's server ids
/// are; `/health` names the node `<shard>/<node>`, as it always has. `leader` is the leader's Raft address, which
/// is what scheduled-db's `GetLeader` (hashicorp/raft's `Leader()`) answers, or `""` when no leader is known.
/// `job_count` counts this node's copy of the shard's jobs, whatever their state (a follower's copy may lag).
public struct ScheduledDBClusterView: Codable, Sendable, Equatable {
    public struct Server: Codable, Sendable, Equatable {
        public var id: String
        public var address: String
    }

    public var node_id: String
    public var is_leader: Bool
    public var leader: String
    public var raft_state: String
    /// Voters and learners (hashicorp/raft's voters and nonvoters), by id.
    public var servers: [Server]
    public var job_count: Int

    /// `raftAddress` is where a node of the group listens for Raft (`ShardNode.raftAddress(of:)`).
    public init(_ cluster: ClusterStatus, jobCount: Int, raftAddress: (String) -> HostPort?) {
        node_id = cluster.node
        is_leader = cluster.leader == cluster.node
        leader = cluster.leader.map { Self.address(of: $0, raftAddress) } ?? ""
        raft_state = Self.raftState(role: cluster.role)
        servers = Set(cluster.voters + cluster.learners).sorted().map {
            Server(id: $0, address: Self.address(of: $0, raftAddress))
        }
        job_count = jobCount
    }

    /// A node's Raft address as scheduled-db shows one, "HOST:PORT"; a node without one (a group of one started
    /// without `--peers` has no Raft listener) is shown by its id instead, so the field is never empty.
    static func address(of node: String, _ raftAddress: (String) -> HostPort?) -> String {
        guard let address = raftAddress(node) else { return node }
        return "\(address.host):\(address.port)"
    }

    /// Tock's Raft role (`RaftNode.Role`) in hashicorp/raft's words. A pre-candidate is campaigning, as a
    /// hashicorp/raft candidate running its pre-vote is.
    static func raftState(role: String) -> String {
        switch role {
        case "leader": "Leader"
        case "candidate", "preCandidate": "Candidate"
        default: "Follower"
        }
    }
}
