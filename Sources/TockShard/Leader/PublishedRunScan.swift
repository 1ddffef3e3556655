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

    static let oneTimeSQL = """
        SELECT id, run, priority, stream_seq, published_at, due_at, max_attempts, timeout_ms
        FROM jobs INDEXED BY jobs_published
        WHERE state = 'published' AND schedule IS NULL AND published_at < ?
            AND (published_at, id, run) > (?, ?, ?) AND stream_seq IS NOT NULL
        ORDER BY published_at, id LIMIT ?
        """

    static let recurringSQL = """
        SELECT r.job_id, r.run, j.priority, r.stream_seq, r.published_at, r.due_at, j.max_attempts, j.timeout_ms
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
                let priority = row.text(2)
                guard let known = Priority(rawValue: priority) else {
                    throw UnknownStoredValue(column: "jobs.priority", value: priority)
                }
                return PublishedRunRow(
                    jobID: row.text(0), run: UInt32(clamping: row.int64(1)), recurring: recurring,
                    priority: known, streamSequence: row.uint64(3),
                    publishedAtNs: row.int64(4), dueAtNs: row.int64(5),
                    maxAttempts: UInt32(clamping: row.int64(6)), timeoutMs: UInt32(clamping: row.int64(7)))
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
