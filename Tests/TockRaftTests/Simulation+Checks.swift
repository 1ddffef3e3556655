import TockRaft

/// The checkers run after every step and at the end: election safety, log matching, and convergence on every
/// acknowledged command.
extension Simulation {
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
}
