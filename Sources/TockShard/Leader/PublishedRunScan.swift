import TockModel
import TockSQLite
import TockWire

/// The index scans reconciliation reads published runs with: oldest publish first, from a cursor, at most a
/// batch, only those published before a cutoff. `jobs_published` and `job_runs_published` hold just the runs
/// that are out, in publish order, so a shard whose runs all finish within the cutoff reads nothing at all.
enum PublishedRunScan {
    /// Where a scan of one table goes on from: after this publish time and run key.
    struct Cursor: Sendable, Equatable {
        var publishedAtNs: Int64 = .min
        var jobID = ""
        var run: UInt32 = 0
    }

    /// Named as `jobs` names them; the recurring scan takes the run's own from `job_runs` (`r`) and the rest from
    /// its job (`j`).
    enum Column: String, ColumnSet {
        static let table = "jobs"

        case id
        case run
        case priority
        case streamSequence = "stream_seq"
        case publishedAt = "published_at"
        case dueAt = "due_at"
        case maxAttempts = "max_attempts"
        case timeoutMs = "timeout_ms"

        var ofRecurringRun: String {
            switch self {
            case .id: "r.job_id"
            case .run, .streamSequence, .publishedAt, .dueAt: "r.\(rawValue)"
            case .priority, .maxAttempts, .timeoutMs: "j.\(rawValue)"
            }
        }
    }

    static let oneTimeSQL = """
        SELECT \(Column.selectList)
        FROM jobs INDEXED BY jobs_published
        WHERE state = 'published' AND schedule IS NULL AND published_at < ?
            AND (published_at, id, run) > (?, ?, ?) AND stream_seq IS NOT NULL
        ORDER BY published_at, id LIMIT ?
        """

    static let recurringSQL = """
        SELECT \(Column.selectList(from: \.ofRecurringRun))
        FROM job_runs AS r INDEXED BY job_runs_published JOIN jobs AS j ON j.id = r.job_id
        WHERE r.state = 'published' AND r.published_at < ?
            AND (r.published_at, r.job_id, r.run) > (?, ?, ?) AND r.stream_seq IS NOT NULL
        ORDER BY r.published_at, r.job_id, r.run LIMIT ?
        """

    /// Up to `limit` runs of one table published before `beforeNs`, after `cursor`.
    static func rows(recurring: Bool, beforeNs: Int64, after cursor: Cursor, limit: Int, in db: Database) throws
        -> [PublishedRunRow]
    {
        try db.statement(recurring ? recurringSQL : oneTimeSQL)
            .map(beforeNs, cursor.publishedAtNs, cursor.jobID, cursor.run, Int64(limit)) { row in
                PublishedRunRow(
                    jobID: row.text(Column.id), run: UInt32(clamping: row.int64(Column.run)), recurring: recurring,
                    priority: try row.known(Column.priority), streamSequence: row.uint64(Column.streamSequence),
                    publishedAtNs: row.int64(Column.publishedAt), dueAtNs: row.int64(Column.dueAt),
                    maxAttempts: UInt32(clamping: row.int64(Column.maxAttempts)),
                    timeoutMs: UInt32(clamping: row.int64(Column.timeoutMs)))
            }
    }

    /// `run` as the tables hold it now, if it is still out with the same stream sequence; nil once it is done,
    /// cancelled, or published again.
    static func current(_ run: PublishedRunRow, in db: Database) throws -> PublishedRunRow? {
        let sql =
            run.recurring
            ? "SELECT 1 FROM job_runs WHERE job_id = ? AND run = ? AND state = 'published' AND stream_seq = ?"
            : "SELECT 1 FROM jobs WHERE id = ? AND run = ? AND state = 'published' AND stream_seq = ?"
        let found = try db.statement(sql).first(run.jobID, run.run, run.streamSequence) { _ in true } ?? false
        return found ? run : nil
    }
}
