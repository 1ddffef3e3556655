import TockCore
import TockShard

/// scheduled-db's `GET /health`: `{"status": "ok", "role": "leader", "node_id": "node-1"}`; a follower says
/// `"role": "follower"` and `"leader": "<the leader's Raft address>"` (omitted while no leader is known).
///
/// A shard node answers its real Raft role, so that scheduled-db's failover scripts find one leader and its
/// followers; every node still takes writes, forwarding them to the leader. A router (`tock router`) has no Raft
/// group and routes every call to the owning shard's leader itself, so it answers as a leader.
public struct ScheduledDBHealthView: Codable, Sendable, Equatable {
    public var status: String
    public var role: String
    public var node_id: String
    public var leader: String?

    /// A leader's answer: a router's.
    public init(nodeID: String) {
        status = "ok"
        role = "leader"
        node_id = nodeID
    }

    /// A shard node's answer, from its view of its Raft group; `raftAddress` as for `ScheduledDBClusterView`.
    public init(nodeID: String, cluster: ClusterStatus, raftAddress: (String) -> HostPort?) {
        self.init(nodeID: nodeID)
        guard cluster.leader != cluster.node else { return }
        role = "follower"
        leader = cluster.leader.map { ScheduledDBClusterView.address(of: $0, raftAddress) }
    }
}
