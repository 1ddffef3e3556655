/// One Raft node as a pure state machine in the style of etcd-io/raft: the driver feeds it ticks, received messages
/// and proposals, and collects a `Ready` saying what to persist, send and apply. It does no I/O and reads no clock;
/// its only randomness comes from a seeded generator, so a run replays exactly.
public struct RaftNode: Sendable {
    public enum Role: String, Sendable, Equatable {
        case follower, preCandidate, candidate, leader
    }

    public let id: NodeID
    let configuration: RaftConfiguration
    var random: SplitMix64

    public internal(set) var role: Role = .follower
    public internal(set) var term: UInt64 = 0
    public internal(set) var vote: NodeID?
    public internal(set) var leader: NodeID?
    public internal(set) var membership: Membership
    var log: RaftLog

    /// Membership from the bootstrap or the last snapshot; config entries in the log apply on top of it.
    var baseMembership: Membership
    var latestSnapshot: Snapshot?
    /// A received snapshot not yet handed to the driver.
    var pendingSnapshot: Snapshot?

    var electionElapsed = 0
    var heartbeatElapsed = 0
    var randomizedElectionTimeout = 0
    var votes: [NodeID: Bool] = [:]
    var progress: [NodeID: Progress] = [:]
    /// Leader: index of the last membership change, which must commit before the next may be proposed.
    var pendingMembershipIndex: UInt64 = 0
    public internal(set) var transferee: NodeID?
    var outbox: [Message] = []
    /// Leader: reads waiting for a quorum to confirm its leadership.
    var readIndex = ReadIndexQueue()
    /// Confirmed reads not yet handed to the driver.
    var readStates: [ReadState] = []
    var lastHardState: HardState

    /// Starts (or restarts) a node from what its disk holds. `bootstrap` is the membership a new group starts
    /// with; a snapshot's membership, and config entries in the log, take precedence.
    public init(configuration: RaftConfiguration, bootstrap: Membership, restoring state: PersistentState = .init()) {
        id = configuration.id
        self.configuration = configuration
        random = SplitMix64(seed: configuration.randomSeed)
        log = RaftLog(
            snapshot: state.snapshot, entries: state.entries, commit: state.hardState.commit,
            applied: state.applied)
        term = state.hardState.term
        vote = state.hardState.vote
        latestSnapshot = state.snapshot
        baseMembership = state.snapshot?.membership ?? bootstrap
        membership = baseMembership
        lastHardState = HardState(term: term, vote: vote, commit: log.committed)
        recomputeMembership()
        resetRandomizedElectionTimeout()
    }

    // MARK: Inspection

    public var commitIndex: UInt64 { log.committed }
    public var appliedIndex: UInt64 { log.applied }
    public var lastIndex: UInt64 { log.lastIndex }
    public var lastTerm: UInt64 { log.lastTerm }
    public var firstIndex: UInt64 { log.firstIndex }
    public var hardState: HardState { HardState(term: term, vote: vote, commit: log.committed) }
    /// This node's entries still in memory (after the last snapshot).
    public var entries: [Entry] { log.entries }
    public func entry(at index: UInt64) -> Entry? { log.entry(at: index) }
    public var isVoter: Bool { membership.voters.contains(id) }
    /// Leader only: the highest index known to be replicated on `peer`.
    public func matchIndex(of peer: NodeID) -> UInt64? { role == .leader ? progress[peer]?.match : nil }
    /// Leader only: a membership change is appended but not yet committed, so another must wait.
    public var hasPendingMembershipChange: Bool { pendingMembershipIndex > log.committed }

    // MARK: Ready / advance

    public var hasReady: Bool {
        !outbox.isEmpty || !readStates.isEmpty || hardState != lastHardState || pendingSnapshot != nil
            || log.persisted < log.lastIndex || log.applied < min(log.committed, log.lastIndex)
    }

    /// What to persist, send and apply now. Call `advance` with it once done, before the next `ready()`.
    public mutating func ready() -> Ready {
        let state = hardState
        let committedEntries =
            log.entries(from: log.applied + 1, limit: .max).map {
                Array($0.prefix { $0.index <= log.committed })
            } ?? []
        let ready = Ready(
            hardState: state == lastHardState ? nil : state, snapshot: pendingSnapshot, entries: log.unpersisted,
            messages: outbox, committedEntries: committedEntries, leader: leader, role: role, readStates: readStates)
        outbox = []
        readStates = []
        return ready
    }

    /// The driver has done everything `ready` asked.
    public mutating func advance(_ ready: Ready) {
        if let hardState = ready.hardState { lastHardState = hardState }
        if let snapshot = ready.snapshot, pendingSnapshot == snapshot { pendingSnapshot = nil }
        if let last = ready.entries.last, log.term(at: last.index) == last.term {
            log.persisted = max(log.persisted, last.index)
        }
        if let last = ready.committedEntries.last { log.applied = max(log.applied, last.index) }
        if let snapshot = ready.snapshot { log.applied = max(log.applied, snapshot.index) }
        if role == .leader, maybeCommit() { broadcastAppend() }
    }

    // MARK: Driver input

    /// One unit of time has passed.
    public mutating func tick() {
        switch role {
        case .leader: tickLeader()
        case .follower, .preCandidate, .candidate: tickElection()
        }
    }

    /// Appends a command to the log if this node leads (and is not handing leadership over). Returns its index.
    @discardableResult
    public mutating func propose(_ data: [UInt8]) -> UInt64? {
        guard role == .leader, transferee == nil else { return nil }
        return appendAndBroadcast(kind: .normal, data: data)
    }

    /// Proposes one membership change; nil if not leader, another change is still uncommitted, or it makes no sense.
    @discardableResult
    public mutating func proposeMembershipChange(_ change: MembershipChange) -> UInt64? {
        guard role == .leader, transferee == nil, pendingMembershipIndex <= log.committed,
            change.applied(to: membership) != nil
        else { return nil }
        let index = appendAndBroadcast(kind: .configChange, data: change.encoded())
        pendingMembershipIndex = index
        return index
    }

    /// Hands leadership to `target` (for rolling restarts): once its log is current it is told to campaign at once.
    /// Proposals are refused meanwhile; the transfer is abandoned after an election timeout.
    @discardableResult
    public mutating func transferLeadership(to target: NodeID) -> Bool {
        guard role == .leader, target != id, membership.voters.contains(target), let pr = progress[target] else {
            return false
        }
        transferee = target
        electionElapsed = 0
        if pr.match == log.lastIndex {
            send(Message(kind: .timeoutNow, from: id, to: target, term: term))
        } else {
            sendAppend(to: target)
        }
        return true
    }

    /// The driver has captured the state machine as of `index` (≤ applied) where it can find it again: entries up
    /// to it are dropped and a lagging follower is sent this snapshot instead. Returns the snapshot to record with
    /// the capture, or nil when `index` is not past the current snapshot (the capture is then of no use).
    @discardableResult
    public mutating func compact(through index: UInt64) -> Snapshot? {
        guard index <= log.applied, index > log.snapshotIndex, let t = log.term(at: index) else { return nil }
        let snapshot = Snapshot(index: index, term: t, membership: membership(asOf: index))
        latestSnapshot = snapshot
        baseMembership = snapshot.membership
        log.compact(through: index)
        return snapshot
    }

    /// The last snapshot this node holds (taken by `compact` or received from a leader).
    public var snapshot: Snapshot? { latestSnapshot }

    // MARK: Helpers

    mutating func send(_ message: Message) {
        outbox.append(message)
    }

    mutating func resetRandomizedElectionTimeout() {
        randomizedElectionTimeout =
            configuration.electionTicks
            + Int(random.next() % UInt64(max(1, configuration.electionTicks)))
    }

    /// Membership changes take effect when their entry is in the log (Raft thesis §4.1), so the membership is the
    /// base one with every config entry in the log applied.
    mutating func recomputeMembership() {
        membership = membership(asOf: log.lastIndex)
    }

    func membership(asOf index: UInt64) -> Membership {
        var result = baseMembership
        for entry in log.entries where entry.index <= index && entry.kind == .configChange {
            if let change = MembershipChange(decoding: entry.data), let next = change.applied(to: result) {
                result = next
            }
        }
        return result
    }
}
