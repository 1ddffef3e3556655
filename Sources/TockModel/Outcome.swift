/// How a run ended, as reported by the executor.
///
/// `failed` is a final failure the executor reports without retrying further in
/// this delivery; `gaveUp` means the attempt budget (`maxAttempts`) is spent.
public enum Outcome: String, Sendable, Codable {
    case succeeded
    case failed
    case gaveUp = "gave_up"
    /// Not an end: the attempt failed and attempts are left, and the run's flow paces its retries, so the shard
    /// schedules the next attempt as the job's next run (`Completion.retryAtNs`) rather than the executor.
    case retry
}
