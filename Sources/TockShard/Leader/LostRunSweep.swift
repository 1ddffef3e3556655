import TockNATS

/// What reconciliation remembers from pass to pass, and what each step of a pass decides, without I/O (the
/// `DuePublisher` actor does the reading, the look-ups and the publishing): where each table's scan goes on
/// from, which runs of a page are overdue, and which runs were found gone and wait for the completions in
/// `TOCK_DONE` to settle before they are published again.
struct LostRunSweep: Sendable {
    struct Scan: Sendable, Equatable {
        var recurring: Bool
        var after: PublishedRunScan.Cursor
        var beforeNs: Int64
        var limit: Int
    }

    /// What a scan read, in the scan's order.
    struct Page: Sendable, Equatable {
        var scan: Scan
        var rows: [PublishedRunRow]
    }

    let policy: LostRunPolicy
    let batch: Int
    private(set) var cursors: [Bool: PublishedRunScan.Cursor] = [false: .init(), true: .init()]
    /// Runs found gone, by run key, not yet handed out to be published again.
    private(set) var suspects: [String: PublishedRunRow] = [:]

    init(policy: LostRunPolicy, batch: Int) {
        self.policy = policy
        self.batch = max(1, batch)
    }

    /// The page to read from each table: runs published before the minimum age, after the table's cursor.
    func scans(nowNs: Int64) -> [Scan] {
        let before = nowNs.saturatingSubtracting(policy.minimumAgeNs)
        return [false, true].map { Scan(recurring: $0, after: cursors[$0] ?? .init(), beforeNs: before, limit: batch) }
    }

    /// Takes the pages read for `scans` and returns the runs to look up. A full page moves its cursor past its
    /// last run; a short one reached the end, and the next pass starts that table over from the oldest.
    mutating func read(_ pages: [Page], nowNs: Int64) -> [PublishedRunRow] {
        for page in pages {
            let (scan, rows) = (page.scan, page.rows)
            cursors[scan.recurring] =
                rows.count < scan.limit
                ? .init()
                : rows.last.map { .init(publishedAtNs: $0.publishedAtNs, jobID: $0.jobID, run: $0.run) }
        }
        return pages.flatMap(\.rows).filter { policy.isOverdue($0, nowNs: nowNs) }
    }

    /// The stream's answer for `run`: `stored` is the message at its sequence, nil when none.
    mutating func answered(_ run: PublishedRunRow, stored: StoredMessage?) {
        if LostRunPolicy.verdict(stored, for: run) == .gone { suspects[run.key] = run }
    }

    /// A look-up failed (no stream, no server): what is left of the pass is not known, so the next pass reads
    /// every table from the oldest again.
    mutating func lookUpFailed() {
        cursors = [false: .init(), true: .init()]
    }

    /// The runs found gone, once the completions have settled: to be read again and published. They are
    /// forgotten here; one that is still out is found again by a later pass if its republish fails.
    mutating func takeSuspects() -> [PublishedRunRow] {
        defer { suspects = [:] }
        return Array(suspects.values)
    }
}
