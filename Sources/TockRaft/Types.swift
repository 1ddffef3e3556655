/// A node's name within its shard, e.g. "n1".
public typealias NodeID = String

/// One entry of the replicated log.
public struct Entry: Sendable, Equatable {
    public enum Kind: UInt8, Sendable {
        /// A command for the state machine.
        case normal = 0
        /// Appended by every new leader, so it can commit entries of earlier terms (Raft §5.4.2).
        case noop = 1
        /// A membership change; `data` is `ConfigChange.encoded()`.
        case configChange = 2
    }

    public var term: UInt64
    public var index: UInt64
    public var kind: Kind
    public var data: [UInt8]

    public init(term: UInt64, index: UInt64, kind: Kind = .normal, data: [UInt8] = []) {
        self.term = term
        self.index = index
        self.kind = kind
        self.data = data
    }
}

/// What must be on disk before a node answers anyone: its term, its vote in that term, and its commit index.
public struct HardState: Sendable, Equatable {
    public var term: UInt64
    public var vote: NodeID?
    public var commit: UInt64

    public init(term: UInt64 = 0, vote: NodeID? = nil, commit: UInt64 = 0) {
        self.term = term
        self.vote = vote
        self.commit = commit
    }
}

/// Who takes part: voters elect and count for commit; learners only receive the log (to catch up before promotion).
public struct Membership: Sendable, Equatable {
    public var voters: Set<NodeID>
    public var learners: Set<NodeID>

    public init(voters: Set<NodeID>, learners: Set<NodeID> = []) {
        self.voters = voters
        self.learners = learners
    }

    public var all: Set<NodeID> { voters.union(learners) }
    public var quorum: Int { voters.count / 2 + 1 }
}

/// What a snapshot is to Raft: the state machine as of `index`, with the membership then in force. The state
/// machine's copy itself (which may be far larger than memory should hold) never enters the core: the driver keeps
/// it, finds it by index and term, and the transport streams it beside the `.snapshot` message.
public struct Snapshot: Sendable, Equatable {
    public var index: UInt64
    public var term: UInt64
    public var membership: Membership

    public init(index: UInt64, term: UInt64, membership: Membership) {
        self.index = index
        self.term = term
        self.membership = membership
    }
}

/// Every message between Raft nodes. One struct, as in etcd's raftpb.Message, so one wire format carries all kinds.
public struct Message: Sendable, Equatable {
    public enum Kind: UInt8, Sendable {
        case preVote = 1
        case preVoteResponse, vote, voteResponse
        case append, appendResponse, heartbeat, heartbeatResponse
        case snapshot, timeoutNow
    }

    public var kind: Kind
    public var from: NodeID
    public var to: NodeID
    public var term: UInt64
    /// append: index of the entry before `entries`; appendResponse: the highest index the follower now matches
    /// (or, on reject, the rejected index); vote/preVote: the candidate's last log index.
    public var index: UInt64
    /// append: term of the entry at `index`; vote/preVote: the candidate's last log term.
    public var logTerm: UInt64
    public var entries: [Entry]
    /// The leader's commit index (append, heartbeat).
    public var commit: UInt64
    /// A vote refused, or an append whose consistency check failed.
    public var reject: Bool
    /// On a rejected append: the follower's guess of the last index that may match (fast backtracking),
    /// and the term of its entry there.
    public var rejectHint: UInt64
    public var hintTerm: UInt64
    /// snapshot: the snapshot to install (its data follows the message on the wire).
    public var snapshot: Snapshot?
    /// vote/preVote: the campaign was started by a leadership transfer, so voters grant it even while they still
    /// hear from the current leader (which check-quorum's lease would otherwise refuse).
    public var transfer: Bool
    /// heartbeat: the leader's read-index round it wants confirmed (0: none); heartbeatResponse: that round echoed,
    /// which tells the leader this follower still followed it after every read of that round was requested.
    public var context: UInt64

    public init(
        kind: Kind, from: NodeID, to: NodeID, term: UInt64, index: UInt64 = 0, logTerm: UInt64 = 0,
        entries: [Entry] = [], commit: UInt64 = 0, reject: Bool = false, rejectHint: UInt64 = 0,
        hintTerm: UInt64 = 0, snapshot: Snapshot? = nil, transfer: Bool = false, context: UInt64 = 0
    ) {
        self.kind = kind
        self.from = from
        self.to = to
        self.term = term
        self.index = index
        self.logTerm = logTerm
        self.entries = entries
        self.commit = commit
        self.reject = reject
        self.rejectHint = rejectHint
        self.hintTerm = hintTerm
        self.snapshot = snapshot
        self.transfer = transfer
        self.context = context
    }
}
