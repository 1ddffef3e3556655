import TockShard

/// scheduled-db's answer to `POST /jobs/{id}/cancel`:
/// `{"cancelled_at": 1735120000, "job_id": "…", "status": "cancelled"}`, plus
/// `"message": "Job was in progress, cancellation attempted"` when the run may already be with an executor.
public struct ScheduledDBCancelView: Codable, Sendable, Equatable {
    public var job_id: String
    public var status: ScheduledDBStatus
    public var cancelled_at: Int64
    public var message: String?

    public init(_ job: JobView) {
        job_id = job.scheduledDBID
        status = JobState(rawValue: job.state).map(ScheduledDBStatus.init) ?? .cancelled
        cancelled_at = job.cancelled_at.map(ScheduledDBTimestamp.seconds(rfc3339:)) ?? 0
        // Published means handed to the executors: cancelling is best effort from then on (Sources/ARCHITECTURE.md,
        // invariant 6).
        if job.published_at != nil { message = "Job was in progress, cancellation attempted" }
    }
}
