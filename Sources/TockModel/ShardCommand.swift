/// The payload of one Raft log entry of a shard. Every replica applies the same
/// commands in log order, so each case carries every input it needs, times
/// included, instead of letting replicas read their own clocks.
public enum ShardCommand: Equatable, Sendable {
    /// `idempotencyRetentionNs`: how long after its holder's creation an idempotency key still dedupes; nil keeps
    /// keys forever (what entries written before retention existed mean).
    case createJob(JobSpec, createdAtNs: Int64, idempotencyRetentionNs: Int64? = nil)
    /// A batch submit's jobs that this shard owns, created in order by one entry; each job's outcome is its own.
    case createJobs([JobSpec], createdAtNs: Int64, idempotencyRetentionNs: Int64? = nil)
    case cancelJob(jobID: String, atNs: Int64)
    /// Batched: one entry per publish round.
    case markPublished([PublishedRun])
    /// Batched; applying the same completion twice must be a no-op (Sources/ARCHITECTURE.md, invariant 4).
    case markDone([Completion], atNs: Int64)
    /// A recurring job's run that is not published; the schedule moves on to `nextDueAtNs` (nil: it has ended).
    case skipRun(jobID: String, run: UInt32, nextDueAtNs: Int64?, atNs: Int64, reason: String)
    /// A recurring job stops publishing runs until resumed.
    case pauseJob(jobID: String, atNs: Int64)
    /// A paused job carries on at `nextDueAtNs`, the first occurrence after the resume.
    case resumeJob(jobID: String, nextDueAtNs: Int64?, atNs: Int64)
    /// Finished one-time jobs run again, each as a new run due at `atNs` with fresh attempts; a job whose current
    /// run is not the one named (retried already) is left alone, which makes applying it twice a no-op.
    case retryJob([RunKey], atNs: Int64)
    /// Where a node of the Raft group listens (Raft and HTTP, each HOST:PORT).
    case setNodeAddress(node: String, raft: String, http: String)
    /// Retention: deletes the named jobs (with their runs) and finished runs that finished before `cutoffNs`; each
    /// replica re-checks every id, so the entry deletes only what is still finished before the cutoff.
    case purgeFinished(cutoffNs: Int64, jobIDs: [String], runs: [RunKey])
    /// Outcome events the leader published to `TOCK_EVENTS`: every replica deletes them from its outbox.
    case deleteEvents([OutcomeEvent.Key])
    /// A flow key's limits from now on (`PUT /v1/flows/{key}`); a job's `flow` with limits sets them the same way.
    case setFlow(FlowID, FlowLimits, atNs: Int64)
    /// The key's limits are forgotten: its runs go out as they fall due.
    case deleteFlow(FlowID, atNs: Int64)
}
