/// How one run ended, published by the executor to `tock.done.<shard>` before it
/// acks the `JobRun` (Sources/ARCHITECTURE.md, invariant 3).
public struct Completion: Equatable, Sendable {
    public var jobID: String
    public var run: UInt32
    public var shard: UInt32
    public var outcome: Outcome
    /// 0 when no response was received (connection error, timeout).
    public var httpStatus: Int32
    public var attempts: UInt32
    /// Nanoseconds since the Unix epoch, executor clock.
    public var startedAtNs: Int64
    /// Nanoseconds since the Unix epoch, executor clock.
    public var finishedAtNs: Int64
    public var executorID: String
    /// "" when none; a short human-readable reason otherwise.
    public var error: String
    /// With `Outcome.retry`: the earliest time of the next attempt (the back-off the executor chose); 0 otherwise.
    public var retryAtNs: Int64 = 0

    public init(
        jobID: String,
        run: UInt32,
        shard: UInt32,
        outcome: Outcome,
        httpStatus: Int32,
        attempts: UInt32,
        startedAtNs: Int64,
        finishedAtNs: Int64,
        executorID: String,
        error: String
    ) {
        self.jobID = jobID
        self.run = run
        self.shard = shard
        self.outcome = outcome
        self.httpStatus = httpStatus
        self.attempts = attempts
        self.startedAtNs = startedAtNs
        self.finishedAtNs = finishedAtNs
        self.executorID = executorID
        self.error = error
    }
}
