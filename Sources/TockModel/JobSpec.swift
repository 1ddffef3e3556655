/// What a client submits and what a create command stores: a job before the
/// shard has assigned runs to it.
public struct JobSpec: Equatable, Sendable {
    public var id: String
    public var priority: Priority
    /// The webhook when `destination` is `.webhook`; empty otherwise.
    public var target: HTTPTarget
    public var timeoutMs: UInt32
    public var maxAttempts: UInt32
    /// "" when none. When set, the shard is chosen by hashing it (Sources/ARCHITECTURE.md, "Sharding").
    public var idempotencyKey: String
    /// Nanoseconds since the Unix epoch.
    public var dueAtNs: Int64
    public var webhookFormat: WebhookFormat
    /// nil for a one-time job.
    public var schedule: Schedule?
    /// The tenant of the API key that submitted it; "" without authentication. The storing node sets it.
    public var tenant: String
    /// Called with a signed POST after every terminal outcome of a run; "" when none.
    public var callbackURL: String
    /// Called with a signed POST after a run that failed; "" when none.
    public var failureCallbackURL: String
    public var destination: Destination
    /// nil: the job belongs to no flow and is paced by nothing but its due time.
    public var flow: Flow?

    public init(
        id: String,
        priority: Priority,
        target: HTTPTarget,
        timeoutMs: UInt32,
        maxAttempts: UInt32,
        idempotencyKey: String,
        dueAtNs: Int64,
        webhookFormat: WebhookFormat = .tock,
        schedule: Schedule? = nil,
        tenant: String = "",
        callbackURL: String = "",
        failureCallbackURL: String = "",
        destination: Destination = .webhook,
        flow: Flow? = nil
    ) {
        self.id = id
        self.priority = priority
        self.target = target
        self.timeoutMs = timeoutMs
        self.maxAttempts = maxAttempts
        self.idempotencyKey = idempotencyKey
        self.dueAtNs = dueAtNs
        self.webhookFormat = webhookFormat
        self.schedule = schedule
        self.tenant = tenant
        self.callbackURL = callbackURL
        self.failureCallbackURL = failureCallbackURL
        self.destination = destination
        self.flow = flow
    }
}
