import TockRaft

/// What one node knows about its Raft group, for `GET /v1/cluster` and `tock shard status`.
public struct ClusterStatus: Sendable, Codable, Equatable {
    public var node: String
    public var role: String
    public var leader: String?
    public var term: UInt64
    public var commitIndex: UInt64
    public var appliedIndex: UInt64
    public var lastIndex: UInt64
    public var snapshotIndex: UInt64
    public var voters: [String]
    public var learners: [String]

    enum CodingKeys: String, CodingKey {
        case node, role, leader, term, voters, learners
        case commitIndex = "commit_index"
        case appliedIndex = "applied_index"
        case lastIndex = "last_index"
        case snapshotIndex = "snapshot_index"
    }

    init(_ node: RaftNode) {
        self.node = node.id
        role = node.role.rawValue
        leader = node.leader
        term = node.term
        commitIndex = node.commitIndex
        appliedIndex = node.appliedIndex
        lastIndex = node.lastIndex
        snapshotIndex = node.snapshot?.index ?? 0
        voters = node.membership.voters.sorted()
        learners = node.membership.learners.sorted()
    }
}
