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

    /// Set on a run that a retry started (`POST /v1/jobs/{id}/retry`): the run it retried.
    public var retry_of: UInt32?

    /// A page of `job`'s runs, oldest first: those numbered after `page.afterRun`, at most `page.limit`. For a
    /// recurring job those published, skipped or done so far; for a one-time job its earlier runs, which retries
    /// moved to `job_runs` when they ran it again, then its current one.
    static func page(of job: Job, _ page: RunsPage, in db: Database) throws -> [JobRunRecord] {
        let oneTime = job.schedule == nil
        typealias C = JobRunColumn
        var records = try db.statement(
            "SELECT \(C.selectList) FROM job_runs WHERE job_id = ? AND run > ? ORDER BY run LIMIT ?"
        ).map(job.id, Int64(page.afterRun), Int64(page.limit)) { row in
            let run = UInt32(clamping: row.int64(C.run))
            return JobRunRecord(
                run: run, due_at: RFC3339.format(ns: row.int64(C.dueAt)),
                state: row.text(C.state), published_at: row.optionalInt64(C.publishedAt).map(RFC3339.format(ns:)),
                finished_at: row.optionalInt64(C.finishedAt).map(RFC3339.format(ns:)),
                attempts: UInt32(clamping: row.int64(C.attempts)),
                last_status: row.optionalInt64(C.lastStatus).map { Int32(clamping: $0) },
                last_error: row.optionalText(C.lastError), retry_of: oneTime ? retried(by: run) : nil)
        }
        if oneTime, job.run > page.afterRun, records.count < page.limit, records.last.map({ $0.run < job.run }) ?? true
        {
            records.append(
                JobRunRecord(
                    run: job.run, due_at: RFC3339.format(ns: job.dueAtNs), state: job.state.rawValue,
                    published_at: job.publishedAtNs.map(RFC3339.format(ns:)),
                    finished_at: job.finishedAtNs.map(RFC3339.format(ns:)),
                    attempts: job.attempts, last_status: job.lastStatus, last_error: job.lastError,
                    retry_of: retried(by: job.run)))
        }
        return records
    }

    /// A one-time job's run above 1 only ever comes from a retry of the run before it.
    private static func retried(by run: UInt32) -> UInt32? { run > 1 ? run - 1 : nil }
}

/// Which runs of a job one `GET /v1/jobs/{id}/runs` reads: a recurring job's history grows without end, so it
/// is read a page at a time.
public struct RunsPage: Sendable, Equatable {
    public static let maxLimit = 1000

    /// Runs numbered after this one; 0 for the first page.
    public var afterRun: UInt32
    /// 1 to `maxLimit`.
    public var limit: Int

    public init(afterRun: UInt32 = 0, limit: Int = 100) {
        self.afterRun = afterRun
        self.limit = min(max(limit, 1), Self.maxLimit)
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
    /// Pass as `cursor` for the next page of runs; absent on the last page.
    public var next_cursor: String?

    /// `runs` is the page read for `page`: a full page may have more after it.
    public init(job: Job, runs: [JobRunRecord], page: RunsPage = .init()) {
        job_id = job.id
        self.runs = runs
        next_run =
            job.schedule != nil && job.state == .scheduled && !job.paused
            ? NextRun(run: job.run, due_at: RFC3339.format(ns: job.dueAtNs)) : nil
        next_cursor = runs.count == page.limit ? runs.last.map { "\($0.run)" } : nil
    }
}

/// The `job_runs` columns a `JobRunRecord` is read from, by name (`ColumnSet`).
enum JobRunColumn: String, ColumnSet {
    static let table = "job_runs"

    case run
    case dueAt = "due_at"
    case state
    case publishedAt = "published_at"
    case finishedAt = "finished_at"
    case attempts
    case lastStatus = "last_status"
    case lastError = "last_error"
}
