/// The node's copy of the log: a snapshot point, the entries after it, and how far they are committed, applied
/// and persisted. The driver persists what `Ready` hands it; `persisted` records what it has confirmed.
struct RaftLog: Sendable {
    private(set) var snapshotIndex: UInt64 = 0
    private(set) var snapshotTerm: UInt64 = 0
    /// entries[i].index == snapshotIndex + 1 + i
    private(set) var entries: [Entry] = []
    private(set) var committed: UInt64 = 0
    var applied: UInt64 = 0
    /// The highest index the driver has confirmed durable. Entries above it are handed out in the next Ready.
    var persisted: UInt64 = 0

    init() {}

    init(snapshot: Snapshot?, entries: [Entry], commit: UInt64, applied: UInt64) {
        snapshotIndex = snapshot?.index ?? 0
        snapshotTerm = snapshot?.term ?? 0
        self.entries = entries.filter { $0.index > snapshotIndex }
        persisted = lastIndex
        committed = min(max(commit, snapshotIndex), lastIndex)
        self.applied = min(max(applied, snapshotIndex), committed)
    }

    var firstIndex: UInt64 { snapshotIndex + 1 }
    var lastIndex: UInt64 { snapshotIndex + UInt64(entries.count) }
    var lastTerm: UInt64 { entries.last?.term ?? snapshotTerm }

    /// The term of the entry at `index`; nil when it was compacted away or does not exist yet.
    func term(at index: UInt64) -> UInt64? {
        if index == snapshotIndex { return snapshotTerm }
        guard index > snapshotIndex, index <= lastIndex else { return nil }
        return entries[Int(index - snapshotIndex - 1)].term
    }

    func entry(at index: UInt64) -> Entry? {
        guard index > snapshotIndex, index <= lastIndex else { return nil }
        return entries[Int(index - snapshotIndex - 1)]
    }

    /// Entries from `index` on, at most `limit` of them and, past the first, at most `maxBytes` of data; nil when
    /// `index` was compacted.
    func entries(from index: UInt64, limit: Int, maxBytes: Int = .max) -> [Entry]? {
        guard index > snapshotIndex else { return nil }
        guard index <= lastIndex else { return [] }
        let start = Int(index - snapshotIndex - 1)
        var end = limit >= entries.count - start ? entries.count : start + limit
        if maxBytes < .max {
            var bytes = 0
            for i in start..<end {
                bytes += entries[i].data.count
                if bytes > maxBytes, i > start {
                    end = i
                    break
                }
            }
        }
        return Array(entries[start..<end])
    }

    /// Entries not yet confirmed durable, for the next Ready.
    var unpersisted: [Entry] { entries(from: persisted + 1, limit: .max) ?? entries }

    /// Raft §5.4.1: a candidate's log is at least as up to date as ours.
    func isUpToDate(lastIndex candidateIndex: UInt64, lastTerm candidateTerm: UInt64) -> Bool {
        candidateTerm > lastTerm || (candidateTerm == lastTerm && candidateIndex >= lastIndex)
    }

    mutating func append(_ entry: Entry) {
        precondition(entry.index == lastIndex + 1, "log append out of order")
        entries.append(entry)
    }

    /// Appends a leader's entries that follow a matching entry: skips what is already there, and at the first
    /// entry whose term differs, drops that entry and everything after it (Raft §5.3). Returns true if a suffix
    /// was dropped.
    @discardableResult
    mutating func appendFromLeader(_ incoming: [Entry]) -> Bool {
        var truncated = false
        for (offset, entry) in incoming.enumerated() {
            if let existing = term(at: entry.index) {
                if existing == entry.term { continue }
                precondition(entry.index > committed, "a leader asked to overwrite committed entry \(entry.index)")
                entries.removeLast(Int(lastIndex - entry.index + 1))
                persisted = min(persisted, entry.index - 1)
                truncated = true
            }
            guard entry.index > snapshotIndex else { continue }
            entries.append(contentsOf: incoming[offset...])
            break
        }
        return truncated
    }

    /// For a rejected append at (index, term): the largest index ≤ `index` whose term is ≤ `term`, with its
    /// term, so the leader can skip a whole conflicting term in one round trip.
    func conflictHint(index: UInt64, term: UInt64) -> (index: UInt64, term: UInt64) {
        var i = min(index, lastIndex)
        while i > snapshotIndex, let t = self.term(at: i), t > term { i -= 1 }
        return (i, self.term(at: i) ?? 0)
    }

    mutating func commit(to index: UInt64) {
        if index > committed { committed = min(index, lastIndex) }
    }

    /// Drops entries up to `index`, which the driver has captured in a snapshot.
    mutating func compact(through index: UInt64) {
        guard index > snapshotIndex, let t = term(at: index) else { return }
        entries.removeFirst(Int(index - snapshotIndex))
        snapshotIndex = index
        snapshotTerm = t
    }

    /// Replaces everything with a snapshot received from the leader.
    mutating func restore(_ snapshot: Snapshot) {
        entries = []
        snapshotIndex = snapshot.index
        snapshotTerm = snapshot.term
        committed = snapshot.index
        applied = snapshot.index
        persisted = snapshot.index
    }
}
