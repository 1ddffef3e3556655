import TockCore
import TockRaft
import TockRaftTransport

/// Who this node is in its shard's Raft group, who the others are, and how fast the group reacts.
public struct RaftClusterConfiguration: Sendable {
    public var nodeID: NodeID = "n1"
    /// Raft TCP addresses of every voter, this node included (it listens on its own). Empty: a group of one.
    public var peers: [NodeID: HostPort] = [:]
    /// HTTP API addresses of the nodes, so a follower can forward requests to the leader.
    public var peerHTTP: [NodeID: HostPort] = [:]
    /// One Raft tick. Elections start after 10–20 ticks without a leader (0.5–1 s), heartbeats go every 2.
    public var tick: Duration = .milliseconds(50)
    public var electionTicks = 10
    public var heartbeatTicks = 2
    /// Take a snapshot (a copy of the job tables) and drop the log behind it every this many applied entries.
    public var snapshotEvery: UInt64 = 50_000
    /// Also take one once the entries applied since the last hold this many bytes, so the log kept in memory (and
    /// read back at a restart) stays small however large the entries are (a batch submit is one entry).
    public var snapshotLogBytes = 64 << 20
    /// How long a proposal or read waits for its answer before the caller is told the outcome is unknown.
    public var requestTimeout: Duration = .seconds(10)
    /// This node joins an existing group (`tock shard add-node`): it knows no membership, never campaigns, and
    /// waits for the leader's snapshot.
    public var join = false
    /// Named in every Raft handshake (`--cluster-id`): a node of another cluster is refused.
    public var clusterID = "tock"
    /// Shared by the cluster's nodes (`--cluster-secret-file`); without it the Raft port checks names only.
    public var secret: RaftClusterSecret?
    /// Mutual TLS on the Raft port (`--raft-tls-cert`, `--raft-tls-key`, `--raft-tls-ca`).
    public var tls: RaftTLS?
    /// The Raft port's bound on inbound connections, and its handshake timeout.
    public var connectionLimits = RaftConnectionLimits()

    public init() {}

    /// The voters the group starts with; a snapshot or membership entries in the log override it.
    var bootstrapMembership: Membership {
        if join { return Membership(voters: []) }
        return Membership(voters: peers.isEmpty ? [nodeID] : Set(peers.keys))
    }
}
