/// One run of a job, published by the shard leader to `tock.jobs.<priority>.<shard>`
/// and executed by whichever executor fetches it.
///
/// `jobID` + `run` identify the run everywhere (`Nats-Msg-Id: <jobID>/<run>`), so a
/// republish after a leader change is deduplicated by JetStream.
public struct JobRun: Equatable, Sendable {
    public var jobID: String
    /// 1 for a one-off job; counts up for each run of a recurring job.
    public var run: UInt32
    public var shard: UInt32
    public var priority: Priority
    /// The webhook when `destination` is `.webhook`; empty otherwise.
    public var target: HTTPTarget
    public var timeoutMs: UInt32
    public var maxAttempts: UInt32
    /// "" when none. Sent to the webhook so receivers can deduplicate.
    public var idempotencyKey: String
    /// Nanoseconds since the Unix epoch.
    public var dueAtNs: Int64
    /// Nanoseconds since the Unix epoch, stamped by the publishing leader.
    public var publishedAtNs: Int64
    public var traceID: String
    /// How the executor shapes the request (the job's own body, or scheduled-db's).
    public var webhookFormat: WebhookFormat
    /// A run of a job with a schedule (scheduled-db's webhook says `recurrente` then).
    public var recurring: Bool
    public var destination: Destination
    /// The job's flow key; "" for none.
    public var flowKey: String = ""
    /// Attempts already made by the earlier runs of a retry chain the shard paces (`Outcome.retry`): this run's
    /// first delivery is attempt `attemptsBefore + 1`.
    public var attemptsBefore: UInt32 = 0

    /// Whether a failed attempt is retried by the shard, through the flow's gate, instead of by the executor.
    public var retriesThroughShard: Bool { !flowKey.isEmpty && !recurring }

    public init(
        jobID: String,
        run: UInt32,
        shard: UInt32,
        priority: Priority,
        target: HTTPTarget,
        timeoutMs: UInt32,
        maxAttempts: UInt32,
        idempotencyKey: String,
        dueAtNs: Int64,
        publishedAtNs: Int64,
        traceID: String,
        webhookFormat: WebhookFormat = .tock,
        recurring: Bool = false,
        destination: Destination = .webhook
    ) {
        self.jobID = jobID
        self.run = run
        self.shard = shard
        self.priority = priority
        self.target = target
        self.timeoutMs = timeoutMs
        self.maxAttempts = maxAttempts
        self.idempotencyKey = idempotencyKey
        self.dueAtNs = dueAtNs
        self.publishedAtNs = publishedAtNs
        self.traceID = traceID
        self.webhookFormat = webhookFormat
        self.recurring = recurring
        self.destination = destination
    }
}
