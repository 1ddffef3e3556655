@testable import TockRaft

/// A cluster on a perfect, hand-driven network: messages queue until a test delivers them, so each test can stage
/// exactly the interleaving a paper statement talks about. Each node's "disk" is what `Ready` told it to persist.
struct Cluster {
    var nodes: [NodeID: RaftNode] = [:]
    var disks: [NodeID: PersistentState] = [:]
    var inFlight: [Message] = []
    var applied: [NodeID: [Entry]] = [:]
    /// Nodes whose messages, in and out, are dropped.
    var isolated: Set<NodeID> = []
    /// When set, messages pass only between nodes of the same group.
    var partition: [Set<NodeID>]?
    /// Confirmed reads each node's Ready handed out, in order.
    var readStates: [NodeID: [ReadState]] = [:]
    /// What a driver keeps beside the core: each node's copies of the state machine, by snapshot index. A snapshot
    /// message carries none of it; like the real transport, sending one copies the sender's data to the receiver.
    var snapshotData: [NodeID: [UInt64: [UInt8]]] = [:]

    init(_ ids: [NodeID], electionTicks: Int = 10, preVote: Bool = true, checkQuorum: Bool = true, seed: UInt64 = 1) {
        for (offset, id) in ids.enumerated() {
            var configuration = RaftConfiguration(id: id, randomSeed: seed &+ UInt64(offset) &* 7919)
            configuration.electionTicks = electionTicks
            configuration.preVote = preVote
            configuration.checkQuorum = checkQuorum
            nodes[id] = RaftNode(configuration: configuration, bootstrap: Membership(voters: Set(ids)))
            disks[id] = PersistentState()
            applied[id] = []
        }
    }

    subscript(id: NodeID) -> RaftNode {
        get { nodes[id]! }
        set { nodes[id] = newValue }
    }

    var leaders: [NodeID] { nodes.values.filter { $0.role == .leader }.map(\.id).sorted() }

    /// Persists, sends and applies what one node's Ready holds.
    mutating func process(_ id: NodeID) {
        guard var node = nodes[id], node.hasReady else { return }
        let ready = node.ready()
        var disk = disks[id]!
        if let snapshot = ready.snapshot {
            disk.snapshot = snapshot
            disk.entries.removeAll { $0.index <= snapshot.index }
            applied[id] = []
        }
        if let first = ready.entries.first {
            disk.entries.removeAll { $0.index >= first.index }
            disk.entries.append(contentsOf: ready.entries)
        }
        if let hardState = ready.hardState { disk.hardState = hardState }
        disks[id] = disk
        for message in ready.messages where connected(message.from, message.to) {
            if let snapshot = message.snapshot {
                snapshotData[message.to, default: [:]][snapshot.index] = snapshotData[id]?[snapshot.index]
            }
            inFlight.append(message)
        }
        readStates[id, default: []].append(contentsOf: ready.readStates)
        applied[id, default: []].append(contentsOf: ready.committedEntries)
        node.advance(ready)
        nodes[id] = node
    }

    /// The driver's side of compaction: records `data` as the state machine at `index`, then compacts the core.
    @discardableResult
    mutating func compact(_ id: NodeID, through index: UInt64, data: [UInt8]) -> Snapshot? {
        snapshotData[id, default: [:]][index] = data
        return nodes[id]!.compact(through: index)
    }

    mutating func processAll() {
        for id in nodes.keys.sorted() { process(id) }
    }

    /// Delivers queued messages (and whatever they cause) until the network is quiet.
    mutating func settle(limit: Int = 10_000) {
        var rounds = 0
        processAll()
        while !inFlight.isEmpty, rounds < limit {
            let batch = inFlight
            inFlight = []
            for message in batch where connected(message.from, message.to) {
                nodes[message.to]?.step(message)
            }
            processAll()
            rounds += 1
        }
    }

    func connected(_ a: NodeID, _ b: NodeID) -> Bool {
        guard !isolated.contains(a), !isolated.contains(b) else { return false }
        guard let partition else { return true }
        return partition.contains { $0.contains(a) && $0.contains(b) }
    }

    mutating func tick(_ ids: [NodeID]? = nil, times: Int = 1) {
        for _ in 0..<times {
            for id in ids ?? nodes.keys.sorted() { nodes[id]?.tick() }
            settle()
        }
    }

    /// Ticks everyone until a leader is elected; returns it.
    @discardableResult
    mutating func electLeader(maxTicks: Int = 200) -> NodeID? {
        for _ in 0..<maxTicks {
            tick()
            if let leader = leaders.first, nodes.values.allSatisfy({ $0.leader == leader || isolated.contains($0.id) })
            {
                return leader
            }
        }
        return nil
    }

    /// Makes `id` campaign now, as if its election timer had fired.
    mutating func campaign(_ id: NodeID) {
        let ticks = nodes[id]!.randomizedElectionTimeout
        for _ in 0..<ticks { nodes[id]!.tick() }
        settle()
    }

    mutating func propose(_ text: String, at id: NodeID) -> UInt64? {
        let index = nodes[id]!.propose(Array(text.utf8))
        settle()
        return index
    }

    func commands(appliedBy id: NodeID) -> [String] {
        applied[id, default: []].filter { $0.kind == .normal }.map { String(decoding: $0.data, as: UTF8.self) }
    }
}
