import TockModel
import TockSQLite
import TockWire

/// What retention may delete, read through the `jobs_finished` and `job_runs_finished` indexes oldest first, and
/// the same rule re-checked by every replica when a purge entry is applied (`JobStateMachine.purge`).
///
/// A job is **purgeable** once it succeeded, failed or was cancelled, last changed before the cutoff, and no run of
/// it is still out with an executor: a one-time job cancelled after its publish keeps its row until the run's
/// completion is recorded (or forever, if the run never comes back), and so does any job with a recurring run still
/// `published` in `job_runs`. Its age is `updated_at`, the leader's clock when the shard committed its last change
/// (a late completion counts), not `finished_at`, which an executor reports.
///
/// A run of a recurring job is purgeable once it has finished (succeeded, failed or skipped) before the cutoff, by
/// its `finished_at` — the only time `job_runs` holds — whether its job still runs or not.
enum RetentionScan {
    /// A job that may be purged, and how many `job_runs` rows go with it.
    struct Candidate: Sendable, Equatable {
        var jobID: String
        var runs: Int
    }

    static let purgeableJob = """
        state IN ('succeeded', 'failed', 'cancelled') AND updated_at < ?
            AND NOT (schedule IS NULL AND published_at IS NOT NULL AND finished_at IS NULL)
            AND NOT EXISTS (SELECT 1 FROM job_runs WHERE job_runs.job_id = jobs.id AND job_runs.state = 'published')
        """

    enum CandidateColumn: String, ColumnSet {
        static let table = "jobs"

        case id
        case runs

        var expression: String {
            switch self {
            case .id: "id"
            case .runs: "(SELECT count(*) FROM job_runs WHERE job_runs.job_id = jobs.id)"
            }
        }
    }

    enum RunColumn: String, ColumnSet {
        static let table = "job_runs"

        case jobID = "job_id"
        case run
    }

    static let jobsSQL = """
        SELECT \(CandidateColumn.selectList(from: \.expression))
        FROM jobs INDEXED BY jobs_finished WHERE \(purgeableJob)
        ORDER BY updated_at, id LIMIT ?
        """

    static let runsSQL = """
        SELECT \(RunColumn.selectList) FROM job_runs INDEXED BY job_runs_finished
        WHERE finished_at IS NOT NULL AND finished_at < ?
        ORDER BY finished_at, job_id, run LIMIT ?
        """

    /// Up to `limit` purgeable jobs, the longest finished first.
    static func jobs(before cutoffNs: Int64, limit: Int, in db: Database) throws -> [Candidate] {
        try db.statement(jobsSQL).map(cutoffNs, Int64(limit)) { row in
            Candidate(jobID: row.text(CandidateColumn.id), runs: row.int(CandidateColumn.runs))
        }
    }

    /// Up to `limit` finished runs of recurring jobs that finished before the cutoff, oldest first.
    static func runs(before cutoffNs: Int64, limit: Int, in db: Database) throws -> [RunKey] {
        try db.statement(runsSQL).map(cutoffNs, Int64(limit)) { row in
            RunKey(jobID: row.text(RunColumn.jobID), run: UInt32(clamping: row.int64(RunColumn.run)))
        }
    }

    static func isPurgeable(_ jobID: String, before cutoffNs: Int64, in db: Database) throws -> Bool {
        try db.statement("SELECT 1 FROM jobs WHERE id = ? AND \(purgeableJob)").first(jobID, cutoffNs) { _ in true }
            ?? false
    }
}
