import TockCore
import TockModel
import TockSQLite
import TockWire

/// Recurring jobs: one `jobs` row whose `run` and `due_at` are the next run's, and a `job_runs` row per run that
/// was published, skipped or reported done. Every time comes from the command: the leader computes schedules,
/// replicas only record them.
extension JobStateMachine {
    /// Moves a recurring job past its current run: to run + 1 at `next`, or, when the schedule has ended, to its
    /// final state — `published` when the last run is still out, `succeeded` when nothing is.
    func advance(_ job: Job, to next: Int64?, at nowNs: Int64, lastRunPublished: Bool, in db: Database) throws
        -> DueEntry?
    {
        if let next {
            try db.statement("UPDATE jobs SET run = run + 1, due_at = ?, updated_at = ? WHERE id = ?")
                .run(next, nowNs, job.id)
            return job.paused ? nil : DueEntry(dueAtNs: next, jobID: job.id, run: job.run + 1, lane: job.dueLane)
        }
        let final = lastRunPublished ? "published" : "succeeded"
        try db.statement(
            """
            UPDATE jobs SET state = ?, updated_at = ?,
                finished_at = CASE WHEN ? = 'succeeded' THEN ? ELSE finished_at END
            WHERE id = ?
            """
        ).run(final, nowNs, final, nowNs, job.id)
        return nil
    }

    func skip(_ jobID: String, run: UInt32, next: Int64?, at nowNs: Int64, reason: String, in db: Database) throws
        -> ApplyResult
    {
        guard let job = try JobRows.find(id: jobID, in: db) else { return .notFound }
        guard job.schedule != nil, job.state == .scheduled, job.run == run else { return .updated(0) }
        try db.statement(
            """
            INSERT OR IGNORE INTO job_runs (job_id, run, due_at, state, last_error, finished_at)
            VALUES (?, ?, ?, 'skipped', ?, ?)
            """
        ).run(jobID, run, job.dueAtNs, reason, nowNs)
        let entry = try advance(job, to: next, at: nowNs, lastRunPublished: false, in: db)
        return .rescheduled(changed: 1, next: entry.map { [$0] } ?? [])
    }

    /// Records a run's outcome in `job_runs` (also when it arrives before "published" was committed) and as the
    /// job's latest outcome; the job itself finishes only with its last run.
    func recordRun(_ completion: Completion, of job: Job, state: JobState, at nowNs: Int64, in db: Database) throws
        -> Int
    {
        let status: Int32? = completion.httpStatus == 0 ? nil : completion.httpStatus
        let error: String? = completion.error.isEmpty ? nil : completion.error
        let changed = try db.statement(
            """
            INSERT INTO job_runs (job_id, run, due_at, state, attempts, last_status, last_error, executor_id,
                                  finished_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (job_id, run) DO UPDATE SET state = excluded.state, attempts = excluded.attempts,
                last_status = excluded.last_status, last_error = excluded.last_error,
                executor_id = excluded.executor_id, finished_at = excluded.finished_at
            WHERE job_runs.finished_at IS NULL
            """
        ).run(
            job.id, completion.run, job.run == completion.run ? job.dueAtNs : 0, state.rawValue,
            completion.attempts, status, error, completion.executorID, completion.finishedAtNs)
        guard changed > 0 else { return 0 }
        // A job cancelled at this very run (its last, still out) had that run's event when it was cancelled.
        if !(job.state == .cancelled && job.run == completion.run) {
            try OutboxRows.insert(OutboxRows.event(of: job, completion, state: state), in: db)
        }
        let finishes = job.state == .published && job.run == completion.run
        try db.statement(
            """
            UPDATE jobs SET attempts = ?, last_status = ?, last_error = ?, executor_id = ?, updated_at = ?,
                state = CASE WHEN ? THEN ? ELSE state END,
                finished_at = CASE WHEN ? THEN ? ELSE finished_at END
            WHERE id = ?
            """
        ).run(
            completion.attempts, status, error, completion.executorID, nowNs, finishes ? 1 : 0,
            state.rawValue, finishes ? 1 : 0, completion.finishedAtNs, job.id)
        return changed
    }

    /// Pauses or resumes a recurring job that has runs left; resuming moves it to the leader's `next`.
    func setPaused(_ jobID: String, _ paused: Bool, next: Int64?, at nowNs: Int64, in db: Database) throws
        -> ApplyResult
    {
        guard let job = try JobRows.find(id: jobID, in: db) else { return .notFound }
        guard job.schedule != nil, job.state == .scheduled else { return .conflict(job) }
        if paused {
            try db.statement("UPDATE jobs SET paused = 1, updated_at = ? WHERE id = ?").run(nowNs, jobID)
        } else if let next {
            try db.statement("UPDATE jobs SET paused = 0, due_at = ?, updated_at = ? WHERE id = ?")
                .run(next, nowNs, jobID)
        } else {
            try db.statement(
                """
                UPDATE jobs SET paused = 0, state = 'succeeded', finished_at = ?, updated_at = ? WHERE id = ?
                """
            ).run(nowNs, nowNs, jobID)
        }
        return .changed(try JobRows.find(id: jobID, in: db) ?? job)
    }
}
