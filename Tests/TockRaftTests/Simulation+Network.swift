import TockRaft

/// The clients, proposing and reading through whichever node believes it leads, and the network, which drops,
/// delays, duplicates and reorders messages and carries a snapshot's data with its message.
extension Simulation {
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
}
