/// A shard's part of a batch submit, forwarded to that shard's leader in one call so it becomes one log entry
/// there.
public struct JobSpecBatch: Equatable, Sendable {
    public var jobs: [JobSpec]

    public init(jobs: [JobSpec]) {
        self.jobs = jobs
    }
}
