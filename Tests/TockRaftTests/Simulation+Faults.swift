import TockRaft

/// The faults a chaotic step injects: partitions, crashes (losing what was not yet on disk), restarts from disk,
/// and compaction into snapshots.
extension Simulation {
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
}
