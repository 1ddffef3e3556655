import TockShard

/// A job's execution state as scheduled-db's `GET /jobs/{id}/status` and `GET /jobs?status=` show it.
///
///     {"job_id": "0-01M8…", "status": "completed", "attempt_count": 1, "created_at": 1735034400,
///      "first_attempt_at": 1735120800, "completed_at": 1735120801, "attempts": [{…}]}
///
/// Derived from Tock's job row: `first_attempt_at` is when the run was handed to the executors, `completed_at`
/// when it finished or was cancelled. Fields Tock has no record of are omitted, as scheduled-db omits unset
/// ones: `last_attempt_at`, `cancellation_reason` (Tock keeps no reason) and `executing_node_id`.
public struct ScheduledDBExecutionState: Codable, Sendable, Equatable {
    public var job_id: String
    public var status: ScheduledDBStatus
    public var attempt_count: UInt32
    public var created_at: Int64
    public var first_attempt_at: Int64?
    public var completed_at: Int64?
    public var cancelled_at: Int64?
    public var attempts: [ScheduledDBExecutionAttempt]

    public init(_ job: JobView) {
        job_id = job.scheduledDBID
        status = JobState(rawValue: job.state).map(ScheduledDBStatus.init) ?? .pending
        attempt_count = job.attempts
        created_at = ScheduledDBTimestamp.seconds(rfc3339: job.created_at)
        first_attempt_at = job.published_at.map(ScheduledDBTimestamp.seconds(rfc3339:))
        cancelled_at = job.cancelled_at.map(ScheduledDBTimestamp.seconds(rfc3339:))
        // scheduled-db stamps completed_at on cancelling too. A cancelled run that still reported an outcome
        // keeps the cancel time, which is when the job left the schedule.
        completed_at = cancelled_at ?? job.finished_at.map(ScheduledDBTimestamp.seconds(rfc3339:))
        attempts = ScheduledDBExecutionAttempt(latestOf: job).map { [$0] } ?? []
    }
}
