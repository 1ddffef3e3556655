import TockModel
import TockSQLite
import TockWire

/// Retries: a finished one-time job (failed — a dead letter —, succeeded, or cancelled) runs again as a new run,
/// `run + 1`, due at the command's time with fresh attempts. The finished run's outcome moves to `job_runs`, so
/// the job's runs history keeps every run; a run numbered above 1 of a one-time job is a retry of the one before.
///
/// Recurring jobs are not retried: a live schedule runs again on its own (and can be paused and resumed), and an
/// ended one is started again by submitting it again. Their `job_runs` rows stay theirs alone, as the due-timer's
/// overlap check and reconciliation's scan of published runs expect; a one-time job's rows there are all finished.
extension JobStateMachine {
    /// One result per run named, in order: `.changed` with the job as it now is (scheduled, run + 1), `.existing`
    /// when the job's current run is another one (it was retried already: nothing changes), `.conflict` for a job
    /// still scheduled or published, or recurring, and `.notFound`.
    func retry(_ runs: [RunKey], at nowNs: Int64, in db: Database) throws -> ApplyResult {
        .batch(try runs.map { try retry($0, at: nowNs, in: db) })
    }

    static func isRetryable(_ job: Job) -> Bool {
        guard job.schedule == nil else { return false }
        switch job.state {
        case .failed, .succeeded, .cancelled: return true
        case .scheduled, .published: return false
        }
    }

    private func retry(_ target: RunKey, at nowNs: Int64, in db: Database) throws -> ApplyResult {
        guard let job = try JobRows.find(id: target.jobID, in: db) else { return .notFound }
        guard job.run == target.run else { return .existing(job) }
        guard Self.isRetryable(job) else { return .conflict(job) }
        let (next, overflow) = job.run.addingReportingOverflow(1)
        guard !overflow else { return .conflict(job) }
        // A cancelled run may never have finished; it ends, for the history, when it was cancelled.
        try db.statement(
            """
            INSERT OR REPLACE INTO job_runs (job_id, run, due_at, state, published_at, stream_seq, attempts,
                                             last_status, last_error, executor_id, finished_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """
        ).run(
            job.id, job.run, job.dueAtNs, job.state.rawValue, job.publishedAtNs,
            job.streamSequence, job.attempts, job.lastStatus, job.lastError,
            job.executorID, job.finishedAtNs ?? job.cancelledAtNs ?? job.updatedAtNs)
        try db.statement(
            """
            UPDATE jobs SET state = 'scheduled', run = ?, due_at = ?, updated_at = ?, attempts = 0,
                last_status = NULL, last_error = NULL, executor_id = NULL, published_at = NULL, stream_seq = NULL,
                finished_at = NULL, cancelled_at = NULL
            WHERE id = ? AND run = ?
            """
        ).run(next, nowNs, nowNs, job.id, job.run)
        return .changed(try JobRows.find(id: job.id, in: db) ?? job)
    }
}
