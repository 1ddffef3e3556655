/// A terminal outcome of one run, as a shard publishes it to `TOCK_EVENTS` (Schemas/tock/v1/events.proto documents
/// every field). Built from the outbox row the state machine wrote in the same transaction as the outcome.
public struct OutcomeEvent: Equatable, Sendable {
    /// The states an event can report; a run has at most one.
    public enum State: String, Sendable, CaseIterable {
        case succeeded, failed, cancelled
    }

    /// What identifies an event: its outbox row, its Nats-Msg-Id and its replicated delete.
    public struct Key: Hashable, Sendable {
        public var jobID: String
        public var run: UInt32
        public var state: State

        public init(jobID: String, run: UInt32, state: State) {
            self.jobID = jobID
            self.run = run
            self.state = state
        }

        /// `<job>/<run>/<state>`: the same for every publish of the event, so JetStream drops a new leader's copy
        /// inside its duplicate window.
        public var messageID: String { "\(jobID)/\(run)/\(state.rawValue)" }
    }

    public var jobID: String
    public var run: UInt32
    public var shard: UInt32
    public var state: State
    public var attempts: UInt32
    /// 0 when no answer was received.
    public var lastHTTPStatus: Int32
    /// "" when none.
    public var error: String
    public var finishedAtNs: Int64
    public var tenant: String
    public var priority: Priority
    /// "" when none.
    public var idempotencyKey: String
    /// "" when none.
    public var callbackURL: String
    /// "" when none.
    public var failureCallbackURL: String
    public var recurring: Bool
    public var maxAttempts: UInt32
    public var timeoutMs: UInt32

    public init(
        jobID: String, run: UInt32, shard: UInt32, state: State, attempts: UInt32, lastHTTPStatus: Int32,
        error: String, finishedAtNs: Int64, tenant: String, priority: Priority, idempotencyKey: String,
        callbackURL: String, failureCallbackURL: String, recurring: Bool, maxAttempts: UInt32,
        timeoutMs: UInt32
    ) {
        self.jobID = jobID
        self.run = run
        self.shard = shard
        self.state = state
        self.attempts = attempts
        self.lastHTTPStatus = lastHTTPStatus
        self.error = error
        self.finishedAtNs = finishedAtNs
        self.tenant = tenant
        self.priority = priority
        self.idempotencyKey = idempotencyKey
        self.callbackURL = callbackURL
        self.failureCallbackURL = failureCallbackURL
        self.recurring = recurring
        self.maxAttempts = maxAttempts
        self.timeoutMs = timeoutMs
    }

    public var key: Key { Key(jobID: jobID, run: run, state: state) }

    /// The URLs this outcome calls back, in order: `callbackURL` on every outcome, `failureCallbackURL` on a
    /// failure (once, if it is the same URL).
    public var callbacks: [(kind: CallbackKind, url: String)] {
        var urls: [(CallbackKind, String)] = []
        if !callbackURL.isEmpty { urls.append((.outcome, callbackURL)) }
        if state == .failed, !failureCallbackURL.isEmpty, failureCallbackURL != callbackURL {
            urls.append((.failure, failureCallbackURL))
        }
        return urls
    }

    public enum CallbackKind: String, Sendable {
        /// `callback_url`, called on every outcome.
        case outcome
        /// `failure_callback_url`, called on failure.
        case failure
    }
}
