import TockCore

/// What applying one committed command did, handed back to whoever proposed it.
public enum ApplyResult: Sendable, Equatable {
    /// A new job was stored.
    case created(Job)
    /// A job with the same idempotency key already existed (within the retention); nothing was stored.
    case existing(Job)
    /// A batch create was applied: one `.created` or `.existing` per job, in the command's order.
    case batch([ApplyResult])
    /// The job is now cancelled (or already was).
    case cancelled(Job)
    /// The command named a job that does not exist.
    case notFound
    /// The job's state does not allow the command, e.g. cancelling a job that already succeeded.
    case conflict(Job)
    /// A batch command (published, done) was applied; the count says how many runs it changed.
    case updated(Int)
    /// Runs were published or skipped and recurring jobs moved on: `next` are their new runs, for the due-timer.
    case rescheduled(changed: Int, next: [DueEntry])
    /// A job was paused or resumed; the job as it is now.
    case changed(Job)
    /// The command (or this job of a batch) changed nothing, on every replica alike: it held what the shard could
    /// not store or show (see `JobStateMachine.applyOrReject`). The proposer answers 400 with the error.
    case rejected(FieldError)
    /// Retention deleted this many jobs and `job_runs` rows (a job's runs included).
    case purged(jobs: Int, runs: Int)
    /// A flow key's limits, as now stored.
    case flow(FlowRecord)
}

extension ApplyResult {
    /// The runs this result put on the schedule, for the leader's due-timer: new jobs, recurring jobs that moved
    /// on, and resumed jobs.
    public var newlyDue: [DueEntry] {
        switch self {
        case .created(let job): [job.dueEntry]
        case .batch(let results): results.flatMap(\.newlyDue)
        case .rescheduled(_, let next): next
        case .changed(let job) where job.state == .scheduled && !job.paused:
            [job.dueEntry]
        default: []
        }
    }
}
