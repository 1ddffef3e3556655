import TockRaft

/// A whole Raft cluster on a simulated network and clock, every random choice drawn from one seed (in the manner of
/// TigerBeetle's VOPR): messages are dropped, delayed, duplicated and reordered; nodes are partitioned, crash —
/// losing whatever they had not yet persisted — and restart from their disks; the leader is asked to hand over
/// leadership, and nodes are added (as learners, caught up by snapshot), promoted and removed, one at a time
/// (Simulation+Operator). After every step it checks election safety, log matching, state-machine safety and that
/// every acknowledged command survives. Clients also read through whichever node believes it leads (stale leaders
/// included), and every read served must be linearizable: its index covers every command acknowledged before the
/// read was asked. Once the faults stop, it checks progress too (Simulation+Liveness): every command a leader
/// accepts commits within a bound, and reads, transfers and membership changes complete.
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

    // MARK: Faults

    mutating func injectFaults() {
        if partition == nil, chance(faults.partition) {
            var sides: [NodeID: Int] = [:]
            for id in ids { sides[id] = pick(0...1) }
            partition = sides
            partitionEndsAt = now + pick(20...150)
        } else if partition != nil, now >= partitionEndsAt {
            partition = nil
        }
        for id in ids where nodes[id]!.core != nil && chance(faults.crash) { crash(id) }
        for id in ids where chance(0.01) { compact(id) }
    }

    mutating func crash(_ id: NodeID) {
        nodes[id]!.core = nil
        nodes[id]!.downUntil = now + pick(5...60)
        nodes[id]!.appliedIndex = 0
        nodes[id]!.digest = 0
    }

    /// Back from what the disk holds; the in-memory state machine is rebuilt from the snapshot, then the log.
    mutating func restart(_ id: NodeID) {
        var node = nodes[id]!
        let snapshot = node.disk.snapshot
        node.appliedIndex = snapshot?.index ?? 0
        node.digest = snapshot.flatMap { node.snapshotDigests[$0.index] } ?? 0
        var state = node.disk
        state.applied = node.appliedIndex
        node.core = makeCore(id, state: state, joined: node.joined)
        nodes[id] = node
    }

    /// Takes a snapshot at what `id` has applied, if that is more than `minimumEntries` past its last one.
    mutating func compact(_ id: NodeID, minimumEntries: UInt64 = 5) {
        guard var node = nodes[id], var core = node.core, node.appliedIndex + 1 > core.firstIndex + minimumEntries
        else { return }
        let index = node.appliedIndex
        node.snapshotDigests[index] = node.digest
        core.compact(through: index)
        node.core = core
        node.disk.snapshot = core.snapshot
        node.disk.entries.removeAll { $0.index <= index }
        nodes[id] = node
    }

    // MARK: Clients and network

    mutating func proposeToALeader() {
        guard let id = ids.first(where: { nodes[$0]!.core?.role == .leader }) else { return }
        nextCommand += 1
        let data = Array("s\(seed)-c\(nextCommand)".utf8)
        guard let index = nodes[id]!.core!.propose(data) else { return }
        if !chaos {
            let term = nodes[id]!.core!.term
            awaitingCommit.append(AcceptedCommand(data: data, index: index, term: term, leader: id, at: now))
            if stats.firstAcceptedWhenCalm == nil, let calmSince { stats.firstAcceptedWhenCalm = now - calmSince }
            lastAcceptedAt = now
        }
    }

    /// Asks any node that believes it leads, so a stale leader cut off from the majority is asked too.
    @discardableResult
    mutating func readFromALeader() -> UInt64? {
        guard let id = shuffled(ids).first(where: { nodes[$0]!.core?.role == .leader }) else { return nil }
        nextRead += 1
        guard nodes[id]!.core!.requestRead(context: nextRead) else { return nil }
        openReads[nextRead] = (node: id, floor: acknowledged.keys.max() ?? 0)
        return nextRead
    }

    func connected(_ a: NodeID, _ b: NodeID) -> Bool {
        guard let partition else { return true }
        return partition[a] == partition[b]
    }

    mutating func deliverDueMessages() {
        let due = network.filter { $0.deliverAt <= now }
        network.removeAll { $0.deliverAt <= now }
        for item in shuffled(due) {
            let m = item.message
            guard nodes[m.to]?.core != nil, connected(m.from, m.to) else { continue }
            // The transport delivers a snapshot message only once its data is stored.
            if let snapshot = m.snapshot, let digest = item.snapshotDigest {
                nodes[m.to]!.snapshotDigests[snapshot.index] = digest
            }
            nodes[m.to]!.core!.step(m)
        }
    }

    mutating func send(_ messages: [Message]) {
        // The core makes its messages to different peers in dictionary order, which Swift seeds differently in
        // every process; in order of destination (Swift's sort is stable, so each peer's stay in the order made),
        // the seed alone decides what happens to each, and a failure replays.
        let messages = messages.sorted { $0.to < $1.to }
        for message in messages {
            if chaos && chance(faults.drop) { continue }
            var digest: UInt64?
            if let snapshot = message.snapshot {
                // A sender that no longer holds the data cannot send the snapshot; the core sends it again later.
                guard let held = nodes[message.from]?.snapshotDigests[snapshot.index] else { continue }
                digest = held
            }
            network.append(
                InFlight(
                    message: message, deliverAt: now + pick(0...(chaos ? faults.maxDelay : 1)),
                    snapshotDigest: digest))
            if chaos && chance(0.02) {
                network.append(
                    InFlight(
                        message: message, deliverAt: now + pick(1...(faults.maxDelay + 3)),
                        snapshotDigest: digest))
            }
        }
    }

    // MARK: The driver loop, with crashes at every point of it

    mutating func processReady(_ id: NodeID) throws(Failure) {
        guard var core = nodes[id]!.core, core.hasReady else { return }
        let ready = core.ready()
        let crashPoint = chaos && chance(faults.crash) ? pick(0...2) : -1
        if crashPoint == 0 { return crash(id) }  // lost: nothing of this Ready reached the disk
        var disk = nodes[id]!.disk
        if let snapshot = ready.snapshot {
            disk.snapshot = snapshot
            disk.entries.removeAll { $0.index <= snapshot.index }
        }
        if let first = ready.entries.first {
            // The stored log is contiguous: drop everything from the first new index by position.
            if let base = disk.entries.first?.index, first.index >= base {
                let keep = Int(first.index - base)
                if keep < disk.entries.count { disk.entries.removeLast(disk.entries.count - keep) }
            } else {
                disk.entries.removeAll()
            }
            disk.entries.append(contentsOf: ready.entries)
        }
        if let hardState = ready.hardState { disk.hardState = hardState }
        nodes[id]!.disk = disk
        if crashPoint == 1 { return crash(id) }  // durable, but nobody heard about it
        send(ready.messages)
        if crashPoint == 2 { return crash(id) }  // sent, not applied
        if let snapshot = ready.snapshot { try install(snapshot, on: id) }
        for entry in ready.committedEntries { try apply(entry, on: id) }
        for read in ready.readStates { try serve(read, on: id) }
        core.advance(ready)
        nodes[id]!.core = core
    }

    mutating func install(_ snapshot: Snapshot, on id: NodeID) throws(Failure) {
        guard let digest = nodes[id]!.snapshotDigests[snapshot.index] else {
            throw fail("\(id) was asked to install a snapshot at \(snapshot.index) whose data it does not hold")
        }
        if let known = digestAt[snapshot.index], known != digest {
            throw fail(
                "state-machine safety: \(id) installed a snapshot at \(snapshot.index) unlike what others applied")
        }
        nodes[id]!.appliedIndex = snapshot.index
        nodes[id]!.digest = digest
    }

    mutating func apply(_ entry: Entry, on id: NodeID) throws(Failure) {
        var node = nodes[id]!
        guard entry.index == node.appliedIndex + 1 else {
            throw fail("\(id) applied index \(entry.index) after \(node.appliedIndex): out of order")
        }
        node.digest = Self.fold(node.digest, entry)
        node.appliedIndex = entry.index
        nodes[id] = node
        if let known = digestAt[entry.index] {
            if known != node.digest {
                throw fail("state-machine safety: \(id) applied a different command at \(entry.index)")
            }
        } else {
            // The first node to apply an index: indexes are first applied in log order, so changes apply in order.
            digestAt[entry.index] = node.digest
            committedTerm[entry.index] = entry.term
            if entry.kind == .configChange { membershipChangeCommitted(entry) }
        }
        if entry.kind == .normal {
            if let acked = acknowledged[entry.index], acked != entry.data {
                throw fail("acknowledged command at \(entry.index) was replaced on \(id)")
            }
            // Applying means committed: the client that proposed it may now be told so.
            acknowledged[entry.index] = entry.data
        }
    }

    /// Linearizability of reads: a read may be answered from the state at its index only if that index covers
    /// every command a client was told had committed before the read was asked.
    mutating func serve(_ read: ReadState, on id: NodeID) throws(Failure) {
        guard let open = openReads.removeValue(forKey: read.context), open.node == id else {
            throw fail("\(id) served read \(read.context), which it was not asked or already served")
        }
        guard read.index >= open.floor else {
            throw fail("stale read on \(id): index \(read.index) below \(open.floor), acknowledged before the read")
        }
        readsServed += 1
    }

    /// Liveness of reads: once calm, a read on the leader is served within a few heartbeats.
    mutating func checkAReadIsServed() throws(Failure) {
        guard let context = readFromALeader() else { throw fail("the leader refused a read once calm") }
        for _ in 0..<20 where openReads[context] != nil { try step() }
        if openReads[context] != nil { throw fail("a read asked once calm was not served within 20 ticks") }
    }

    // MARK: Checkers

    mutating func checkSafety() throws(Failure) {
        for id in ids {
            guard let core = nodes[id]!.core, core.role == .leader else { continue }
            if let other = leaderOfTerm[core.term], other != id {
                throw fail("election safety: \(other) and \(id) both lead term \(core.term)")
            }
            leaderOfTerm[core.term] = id
        }
        let live = ids.compactMap { nodes[$0]!.core }
        for (i, a) in live.enumerated() {
            for b in live[(i + 1)...] { try checkLogMatching(a, b) }
        }
    }

    /// If two logs hold an entry with the same index and term, they are identical up to it (Raft §5.3).
    /// Entries both nodes have applied are already proven identical by the digest check at every index, so the scan
    /// starts at the lower applied index; that keeps thousands of seeds affordable in a debug build.
    func checkLogMatching(_ a: RaftNode, _ b: RaftNode) throws(Failure) {
        let low = max(a.firstIndex, b.firstIndex, min(a.appliedIndex, b.appliedIndex))
        let high = min(a.lastIndex, b.lastIndex)
        guard low <= high else { return }
        var index = high
        while index >= low {
            if let x = a.entry(at: index), let y = b.entry(at: index), x.term == y.term { break }
            index -= 1
        }
        guard index >= low else { return }
        for i in low...index where a.entry(at: i) != b.entry(at: i) {
            throw fail("log matching: \(a.id) and \(b.id) agree at \(index) but differ at \(i)")
        }
    }

    func checkConverged() throws(Failure) {
        guard let leader = ids.compactMap({ nodes[$0]!.core }).first(where: { $0.role == .leader }) else {
            throw fail("no leader after \(now) ticks, the last of them calm")
        }
        let highest = acknowledged.keys.max() ?? 0
        for id in committedMembership.all.sorted() {
            let node = nodes[id]!
            guard node.appliedIndex >= highest else {
                throw fail(
                    "\(id) applied \(node.appliedIndex), below acknowledged index \(highest) (leader \(leader.id))")
            }
        }
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
