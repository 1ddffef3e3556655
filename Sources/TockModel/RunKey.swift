/// One run of one job: what names a row of a recurring job's run history.
public struct RunKey: Equatable, Hashable, Sendable {
    public var jobID: String
    public var run: UInt32

    public init(jobID: String, run: UInt32) {
        self.jobID = jobID
        self.run = run
    }
}
