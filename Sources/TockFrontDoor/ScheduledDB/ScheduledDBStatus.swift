import TockShard

/// scheduled-db's job status names, and how Tock's states map onto them.
///
/// scheduled-db moves a job `pending → in_progress → completed | failed | timeout`, `failed`/`timeout` back to
/// `in_progress` on a retry, and `pending`/`in_progress` to `cancelled`. Tock's states are coarser:
///
/// | Tock        | scheduled-db  | why |
/// |-------------|---------------|-----|
/// | `scheduled` | `pending`     | not due yet |
/// | `published` | `in_progress` | due and handed to the executors: waiting for one, in flight, or between retries |
/// | `succeeded` | `completed`   | |
/// | `failed`    | `failed`      | every attempt used, or an answer that is not retried |
/// | `cancelled` | `cancelled`   | |
///
/// `timeout` has no Tock state: a timed-out attempt is retried like any other failure and the job ends `failed`.
public enum ScheduledDBStatus: String, CaseIterable, Sendable, Codable {
    case pending
    case inProgress = "in_progress"
    case completed
    case failed
    case cancelled
    case timeout

    public init(_ state: JobState) {
        switch state {
        case .scheduled: self = .pending
        case .published: self = .inProgress
        case .succeeded: self = .completed
        case .failed: self = .failed
        case .cancelled: self = .cancelled
        }
    }

    /// The Tock state whose jobs have this status; nil for `timeout`, which no Tock job ever has.
    public var tockState: JobState? {
        switch self {
        case .pending: .scheduled
        case .inProgress: .published
        case .completed: .succeeded
        case .failed: .failed
        case .cancelled: .cancelled
        case .timeout: nil
        }
    }
}
