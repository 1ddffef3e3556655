import TockCore
import TockModel
import TockSQLite

/// Retries a flow paces: a one-time job of a flow whose attempt failed with attempts left is not nak'd by the
/// executor (its redelivery would reach the webhook whatever the flow's rate) but reported as `Outcome.retry`.
/// The run ends — its outcome kept in `job_runs`, as a retried run's is — and the job is scheduled again as
/// `run + 1` at the executor's back-off, keeping its attempts (`JobRun.attemptsBefore`), so the next attempt
/// waits for the flow's rate and concurrency like any run.
extension JobStateMachine {
    /// The longest a retry waits, whatever the completion says: a bad clock or a hostile message cannot park a job
    /// for years.
    static let longestRetryDelayNs: Int64 = 86_400_000_000_000

    /// The next run, or nil when the completion changes nothing (another run, or the job has finished, been
    /// cancelled or retried already: as with any repeated completion).
    func retryAttempt(_ completion: Completion, of job: Job, at nowNs: Int64, in db: Database) throws -> DueEntry? {
        guard job.schedule == nil, job.run == completion.run, job.finishedAtNs == nil,
            job.state == .scheduled || job.state == .published
        else { return nil }
        let (next, overflow) = job.run.addingReportingOverflow(1)
        guard !overflow else { return nil }
        let dueAt = min(max(completion.retryAtNs, nowNs), nowNs.saturatingAdding(Self.longestRetryDelayNs))
        let status: Int32? = completion.httpStatus == 0 ? nil : completion.httpStatus
        let error: String? = completion.error.isEmpty ? nil : completion.error
        try db.statement(
            """
            INSERT OR REPLACE INTO job_runs (job_id, run, due_at, state, published_at, stream_seq, attempts,
                                             last_status, last_error, executor_id, finished_at)
            VALUES (?, ?, ?, 'failed', ?, ?, ?, ?, ?, ?, ?)
            """
        ).run(
            job.id, job.run, job.dueAtNs, job.publishedAtNs, job.streamSequence, completion.attempts, status, error,
            completion.executorID, completion.finishedAtNs)
        try db.statement(
            """
            UPDATE jobs SET state = 'scheduled', run = ?, due_at = ?, updated_at = ?, attempts = ?, last_status = ?,
                last_error = ?, executor_id = ?, published_at = NULL, stream_seq = NULL
            WHERE id = ? AND run = ?
            """
        ).run(next, dueAt, nowNs, completion.attempts, status, error, completion.executorID, job.id, job.run)
        return DueEntry(dueAtNs: dueAt, jobID: job.id, run: next, lane: job.dueLane)
    }
}
