extension Message {
    /// The largest index, term or counter a message may carry: far beyond any real log, and low enough that the
    /// core's `+ 1`s and conversions to `Int` can never overflow.
    public static let maxCounter = UInt64(Int64.max)

    /// Whether the message is one a correct peer could send. `step` drops any other, so bytes from the Raft port
    /// that decode into nonsense — an index at the top of `UInt64`, entries with gaps, a snapshot on a vote — are
    /// ignored instead of trapping the node or corrupting its log.
    public var isWellFormed: Bool {
        let counters =
            [term, index, logTerm, commit, rejectHint, hintTerm, context]
            + (snapshot.map { [$0.index, $0.term] } ?? [])
        guard counters.allSatisfy({ $0 <= Self.maxCounter }), !from.isEmpty, from != to else { return false }
        // A node's log holds no entry of a term after its own (a vote's last log term, an append's previous).
        guard logTerm <= term else { return false }
        guard (kind == .snapshot) == (snapshot != nil) else { return false }
        if let snapshot, snapshot.term > term || snapshot.membership.voters.isEmpty { return false }
        guard kind == .append else { return entries.isEmpty }
        // Raft §5.3: an append carries entries that follow `index` one by one, no older than `logTerm`, in
        // non-decreasing terms, none from a term after the leader's own.
        var expectedIndex = index
        var previousTerm = logTerm
        for entry in entries {
            guard expectedIndex < Self.maxCounter else { return false }
            expectedIndex += 1
            guard entry.index == expectedIndex, entry.term >= previousTerm, entry.term <= term else { return false }
            previousTerm = entry.term
        }
        return true
    }
}
