/// The finished run of a job that `ShardCommand.retryJob` runs again. Naming the run, not just the job, is what
/// makes a retry idempotent: once the job has moved on to run + 1, a second retry of the same run changes nothing.
public struct RetryRun: Equatable, Sendable {
    public var jobID: String
    public var run: UInt32

    public init(jobID: String, run: UInt32) {
        self.jobID = jobID
        self.run = run
    }
}
