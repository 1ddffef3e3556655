import TockRaft

/// The driver loop, with crashes at every point of it: persist a Ready, send its messages, install its snapshot,
/// apply its committed entries and serve its reads, checking state-machine safety and read linearizability.
extension Simulation {
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
}
