import TockCore
import TockSQLite

/// One run of a job: when it was due, what became of it.
public struct JobRunRecord: Sendable, Equatable, Codable {
    public var run: UInt32
    public var due_at: String
    /// `published` (out with an executor), `succeeded`, `failed`, `skipped`, or for a one-time job its state.
    public var state: String
    public var published_at: String?
    public var finished_at: String?
    public var attempts: UInt32
    public var last_status: Int32?
    public var last_error: String?

    static func all(of job: Job, in db: Database) throws -> [JobRunRecord] {
        guard job.schedule != nil else {
            return [JobRunRecord(
                run: job.run, due_at: RFC3339.format(ns: job.dueAtNs), state: job.state.rawValue,
                published_at: job.publishedAtNs.map(RFC3339.format(ns:)),
                finished_at: job.finishedAtNs.map(RFC3339.format(ns:)),
                attempts: job.attempts, last_status: job.lastStatus, last_error: job.lastError)]
        }
        return try db.statement("""
            SELECT run, due_at, state, published_at, finished_at, attempts, last_status, last_error
            FROM job_runs WHERE job_id = ? ORDER BY run
            """).map(job.id) { row in
                JobRunRecord(
                    run: UInt32(row.int64(0)), due_at: RFC3339.format(ns: row.int64(1)), state: row.text(2),
                    published_at: row.optionalInt64(3).map(RFC3339.format(ns:)),
                    finished_at: row.optionalInt64(4).map(RFC3339.format(ns:)), attempts: UInt32(row.int64(5)),
                    last_status: row.optionalInt64(6).map { Int32($0) }, last_error: row.optionalText(7))
            }
    }
}

/// `GET /v1/jobs/{id}/runs`: the runs so far, oldest first, and the next one while the job has one.
public struct JobRunsView: Codable, Sendable, Equatable {
    public struct NextRun: Codable, Sendable, Equatable {
        public var run: UInt32
        public var due_at: String
    }

    public var job_id: String
    public var runs: [JobRunRecord]
    public var next_run: NextRun?

    public init(job: Job, runs: [JobRunRecord]) {
        job_id = job.id
        self.runs = runs
        next_run = job.schedule != nil && job.state == .scheduled && !job.paused
            ? NextRun(run: job.run, due_at: RFC3339.format(ns: job.dueAtNs)) : nil
    }
}
