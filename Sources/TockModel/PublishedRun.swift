/// A run the leader published and JetStream acknowledged; a batch of these is
/// committed as one `ShardCommand.markPublished` entry.
public struct PublishedRun: Equatable, Sendable {
    public var jobID: String
    public var run: UInt32
    /// `TOCK_JOBS` sequence from the PubAck: later tells a run that is waiting in
    /// the stream from one that was lost (Sources/ARCHITECTURE.md, invariant 5).
    public var streamSequence: UInt64
    /// Nanoseconds since the Unix epoch.
    public var publishedAtNs: Int64
    /// A recurring job's next run, chosen by the leader that published this one; nil for a one-time job or when
    /// the schedule has ended.
    public var nextDueAtNs: Int64?
    /// A republish of a run whose message JetStream lost: the sequence the run held. nil for a first publish.
    public var replacesSequence: UInt64?

    public init(
        jobID: String, run: UInt32, streamSequence: UInt64, publishedAtNs: Int64, nextDueAtNs: Int64? = nil,
        replacesSequence: UInt64? = nil
    ) {
        self.jobID = jobID
        self.run = run
        self.streamSequence = streamSequence
        self.publishedAtNs = publishedAtNs
        self.nextDueAtNs = nextDueAtNs
        self.replacesSequence = replacesSequence
    }
}
