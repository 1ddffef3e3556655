/// How one Raft node behaves. Time is counted in ticks; the driver decides how long a tick is.
public struct RaftConfiguration: Sendable {
    public var id: NodeID
    /// A follower that hears nothing from a leader for a random number of ticks in
    /// [electionTicks, 2·electionTicks) starts an election.
    public var electionTicks = 10
    /// A leader sends heartbeats every this many ticks. Must be well below `electionTicks`.
    public var heartbeatTicks = 1
    /// Ask for votes in a trial round first, so a node that was cut off cannot raise the term and disrupt a
    /// healthy leader when it returns (Raft thesis §9.6).
    public var preVote = true
    /// A leader that has not heard from a quorum within an election timeout steps down; followers that hear from
    /// a leader ignore vote requests for as long (the lease that makes pre-vote safe against disruptions).
    public var checkQuorum = true
    /// Most entries in one append message.
    public var maxEntriesPerAppend = 256
    /// Most entry data in one append message (at least one entry is always sent), so a follower that lags by
    /// large entries is not sent one message of hundreds of megabytes that both ends must hold.
    public var maxAppendBytes = 1 << 20
    /// Most appends sent to one follower and not yet answered; the leader waits for an answer before sending more.
    /// With `maxAppendBytes` it bounds what is in flight (and queued in the transport) for a follower that is down.
    public var maxInflightAppends = 32
    /// Seeds the randomized election timeout.
    public var randomSeed: UInt64

    public init(id: NodeID, randomSeed: UInt64) {
        self.id = id
        self.randomSeed = randomSeed
    }
}

/// What a node finds on its disk when it starts: the last hard state, the last snapshot, the log entries after it,
/// and how far the state machine has applied (at least the snapshot's index).
public struct PersistentState: Sendable, Equatable {
    public var hardState: HardState
    public var snapshot: Snapshot?
    public var entries: [Entry]
    public var applied: UInt64

    public init(
        hardState: HardState = HardState(), snapshot: Snapshot? = nil, entries: [Entry] = [], applied: UInt64 = 0
    ) {
        self.hardState = hardState
        self.snapshot = snapshot
        self.entries = entries
        self.applied = applied
    }
}
