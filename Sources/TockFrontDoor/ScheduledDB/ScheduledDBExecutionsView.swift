import TockShard

/// scheduled-db's `GET /jobs/{id}/executions`: `{"attempts": […], "job_id": "…"}`.
public struct ScheduledDBExecutionsView: Codable, Sendable, Equatable {
    public var job_id: String
    public var attempts: [ScheduledDBExecutionAttempt]

    public init(_ job: JobView) {
        job_id = job.scheduledDBID
        attempts = ScheduledDBExecutionAttempt(latestOf: job).map { [$0] } ?? []
    }
}
