import TockShard

/// One entry of scheduled-db's execution history (`attempts` in `GET /jobs/{id}/status` and
/// `GET /jobs/{id}/executions`).
///
/// Tock keeps one row per job, not a row per attempt: the number of attempts and the outcome of the latest
/// (status, error, executor, finish time). So the history it can show is that latest attempt alone, numbered as
/// the count of attempts so far; earlier ones were failures whose details are gone.
public struct ScheduledDBExecutionAttempt: Codable, Sendable, Equatable {
    public var attempt_num: UInt32
    /// When the run was handed to the executors (Tock does not record each attempt's own start).
    public var start_time: Int64
    /// When the job finished; absent while it is still being retried.
    public var end_time: Int64?
    public var node_id: String
    /// `completed` for a 2xx answer, else `failed`.
    public var status: ScheduledDBStatus
    public var http_status: Int32?
    public var error_message: String?

    /// The latest attempt of `job`, or nil when no attempt has reported yet.
    public init?(latestOf job: JobView) {
        guard job.attempts > 0 else { return nil }
        attempt_num = job.attempts
        start_time =
            job.published_at.map(ScheduledDBTimestamp.seconds(rfc3339:))
            ?? ScheduledDBTimestamp.seconds(rfc3339: job.run_at)
        end_time = job.finished_at.map(ScheduledDBTimestamp.seconds(rfc3339:))
        node_id = job.executor_id ?? ""
        status = job.last_status.map { (200..<300).contains($0) } == true ? .completed : .failed
        http_status = job.last_status
        error_message = job.last_error
    }
}
