import TockRaft

/// A whole Raft cluster on a simulated network and clock, every random choice drawn from one seed (in the manner of
/// TigerBeetle's VOPR): messages are dropped, delayed, duplicated and reordered; nodes are partitioned, crash —
/// losing whatever they had not yet persisted — and restart from their disks; the leader is asked to hand over
/// leadership, and nodes are added (as learners, caught up by snapshot), promoted and removed, one at a time
/// (Simulation+Operator; faults in Simulation+Faults, the network in Simulation+Network, the driver loop in
/// Simulation+Driver). After every step it checks election safety, log matching, state-machine safety and that
/// every acknowledged command survives (Simulation+Checks). Clients also read through whichever node believes it
/// leads (stale leaders included), and every read served must be linearizable: its index covers every command
/// acknowledged before the read was asked. Once the faults stop, it checks progress too (Simulation+Liveness):
/// every command a leader accepts commits within a bound, and reads, transfers and membership changes complete.
struct Simulation {
    struct Failure: Error, CustomStringConvertible {
        var seed: UInt64
        var tick: Int
        var what: String
        var description: String { "seed \(seed), tick \(tick): \(what)" }
    }

    struct SimNode {
        var core: RaftNode?
        var disk = PersistentState()
        var downUntil = 0
        /// The state machine: a running digest of the commands applied, and how far it got.
        var appliedIndex: UInt64 = 0
        var digest: UInt64 = 0
        /// The driver's copies of the state machine beside the core, by snapshot index; on disk, so they survive
        /// a crash.
        var snapshotDigests: [UInt64: UInt64] = [:]
        /// Added to a running group as a learner: it starts knowing no membership and waits for a snapshot.
        var joined = false
        /// A committed change removed it: stopped for good, as an operator would.
        var removed = false
    }

    struct InFlight {
        var message: Message
        var deliverAt: Int
        /// A snapshot message's data, read from the sender's copy when sent (as the transport streams it).
        var snapshotDigest: UInt64?
    }

    let seed: UInt64
    /// The group's first voters.
    let founders: [NodeID]
    /// Every node started so far, founders first, then the learners added, in order.
    var ids: [NodeID]
    var random: SplitMix64
    var nodes: [NodeID: SimNode] = [:]
    var network: [InFlight] = []
    var now = 0
    let configuration: (preVote: Bool, checkQuorum: Bool)
    /// Which side of a partition each node is on; nil when the network is whole.
    var partition: [NodeID: Int]?
    var partitionEndsAt = 0
    var chaos = true
    var proposing = true
    /// How hostile this seed's world is: crash and partition rates and message delays vary by seed, because the
    /// rarest interleavings (Figure 8) need leaders to crash mid-replication term after term.
    let faults: (crash: Double, partition: Double, maxDelay: Int, drop: Double)

    // What the checkers remember.
    var leaderOfTerm: [UInt64: NodeID] = [:]
    /// The first digest seen after applying each index: every node must reach the same one (state-machine safety).
    var digestAt: [UInt64: UInt64] = [:]
    /// Commands a client was told are committed, by index.
    var acknowledged: [UInt64: [UInt8]] = [:]
    var nextCommand = 0
    /// Reads asked and not yet served, by context: the node asked and the highest index acknowledged at that time.
    var openReads: [UInt64: (node: NodeID, floor: UInt64)] = [:]
    var nextRead: UInt64 = 0
    var readsServed = 0
    /// The term of the entry committed at each index (the first node to apply it says; all must agree).
    var committedTerm: [UInt64: UInt64] = [:]
    /// The membership with every committed change applied, in log order.
    var committedMembership: Membership
    /// Nodes whose removal committed during the last step, to be stopped once the step's Readies are done.
    var removalsCommitted: [NodeID] = []
    /// The liveness checker's state (Simulation+Liveness): commands accepted since the faults stopped and not yet
    /// committed, and when a leader last accepted one.
    var awaitingCommit: [AcceptedCommand] = []
    var calmSince: Int?
    var lastAcceptedAt = 0
    /// What a run did, for the tests to check that the faults they mean to cover happened.
    var stats = Stats()

    init(seed: UInt64, nodeCount: Int) {
        self.seed = seed
        founders = (1...nodeCount).map { "n\($0)" }
        ids = founders
        committedMembership = Membership(voters: Set(founders))
        random = SplitMix64(seed: seed)
        configuration = (preVote: seed % 4 != 3, checkQuorum: seed % 4 != 2)
        switch seed % 3 {
        case 0: faults = (crash: 0.003, partition: 0.01, maxDelay: 3, drop: 0.05)
        case 1: faults = (crash: 0.02, partition: 0.02, maxDelay: 8, drop: 0.1)
        default: faults = (crash: 0.01, partition: 0.05, maxDelay: 15, drop: 0.2)
        }
        for id in ids {
            nodes[id] = SimNode()
            nodes[id]!.core = makeCore(id, state: PersistentState())
        }
    }

    func makeCore(_ id: NodeID, state: PersistentState, joined: Bool = false) -> RaftNode {
        var config = RaftConfiguration(id: id, randomSeed: seed &* 31 &+ UInt64(id.hashValueStable) &+ UInt64(now))
        config.electionTicks = 10
        config.heartbeatTicks = 1
        config.preVote = configuration.preVote
        config.checkQuorum = configuration.checkQuorum
        config.maxEntriesPerAppend = 8
        let bootstrap = joined ? Membership(voters: []) : Membership(voters: Set(founders))
        return RaftNode(configuration: config, bootstrap: bootstrap, restoring: state)
    }

    mutating func chance(_ p: Double) -> Bool { Double(random.next() % 1_000_000) < p * 1_000_000 }
    mutating func pick(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(random.next() % UInt64(range.count)) }

    /// Runs `chaosTicks` of faults, then `calmTicks` with every node up and a whole, lossless network, and checks
    /// that the cluster made progress: every command accepted meanwhile committed in time, the cluster converged on
    /// every acknowledged command, and a read, a leadership transfer and a membership change each complete.
    mutating func run(chaosTicks: Int = 400, calmTicks: Int = 300) throws(Failure) {
        for _ in 0..<chaosTicks { try step() }
        heal()
        for _ in 0..<calmTicks { try step() }
        // Clients stop, so the last commit index reaches every follower before the check.
        proposing = false
        for _ in 0..<30 { try step() }
        try awaitAcceptedCommands()
        try checkConverged()
        try checkAReadIsServed()
        try checkATransferCompletes()
        try checkAMembershipChangeCompletes()
    }

    /// The faults stop: the network is whole and lossless again and every member is up.
    mutating func heal() {
        chaos = false
        partition = nil
        calmSince = now
        for id in ids where nodes[id]!.core == nil && !nodes[id]!.removed { restart(id) }
    }

    mutating func step() throws(Failure) {
        now += 1
        if chaos { injectFaults() }
        for id in ids where nodes[id]!.core == nil && !nodes[id]!.removed && nodes[id]!.downUntil <= now {
            restart(id)
        }
        if chaos, chance(0.05) { actAsOperator() }
        snapshotForLearners()
        stopOrphans()
        if proposing, chance(0.3) { proposeToALeader() }
        if proposing, chance(0.1) { readFromALeader() }
        for id in ids { nodes[id]!.core?.tick() }
        deliverDueMessages()
        for id in shuffled(ids) { try processReady(id) }
        for id in removalsCommitted { stop(id) }
        removalsCommitted = []
        try checkSafety()
        if !chaos { try checkLiveness() }
    }

    func fail(_ what: String) -> Failure { Failure(seed: seed, tick: now, what: what) }

    mutating func shuffled<T>(_ items: [T]) -> [T] {
        var items = items
        guard items.count > 1 else { return items }
        for i in stride(from: items.count - 1, to: 0, by: -1) {
            items.swapAt(i, Int(random.next() % UInt64(i + 1)))
        }
        return items
    }

    // MARK: The simulated state machine: an FNV-1a digest of everything applied

    static func fold(_ digest: UInt64, _ entry: Entry) -> UInt64 {
        var hash = digest == 0 ? 0xCBF2_9CE4_8422_2325 : digest
        for byte in [entry.kind.rawValue] + entry.data {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3
        }
        return hash
    }

}

extension String {
    /// A hash that is the same in every process (Swift's `hashValue` is seeded per run, which would break replay).
    var hashValueStable: UInt32 {
        utf8.reduce(2_166_136_261) { ($0 ^ UInt32($1)) &* 16_777_619 }
    }
}
