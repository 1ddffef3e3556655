import TockModel
import TockWire

/// A run the shard holds as published (out with an executor) and not done: one-time jobs in state `published`,
/// and runs of recurring jobs with a `job_runs` row in state `published`. What reconciliation needs to judge
/// whether its message may be lost, to look it up in the stream, and to publish it again.
struct PublishedRunRow: Sendable, Equatable {
    var jobID: String
    var run: UInt32
    var recurring: Bool
    var priority: Priority
    var streamSequence: UInt64
    var publishedAtNs: Int64
    var dueAtNs: Int64
    var maxAttempts: UInt32
    var timeoutMs: UInt32

    var key: String { "\(jobID)/\(run)" }
}
