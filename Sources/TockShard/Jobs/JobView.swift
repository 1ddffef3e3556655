import TockCore
import TockModel
import TockWire

/// A job as the HTTP API shows it: snake_case keys, RFC 3339 times, absent fields omitted.
public struct JobView: Codable, Sendable, Equatable {
    public var id: String
    public var shard: UInt32
    public var state: String
    public var priority: String
    /// The webhook's; "" (and `headers` and `body` empty) for a job whose `destination` is not a webhook.
    public var url: String
    public var method: String
    /// Secret values (`Header.isSecret`) read as `***`.
    public var headers: [String: String]
    public var body: String
    /// `nats` or `timer`; absent for a webhook, so a webhook job reads as before.
    public var destination: String?
    /// The message a job whose destination is `nats` publishes.
    public var nats: NATSTargetView?
    public var run: UInt32
    public var run_at: String
    public var timeout: String
    public var max_attempts: UInt32
    public var idempotency_key: String?
    public var attempts: UInt32
    public var last_status: Int32?
    public var last_error: String?
    public var created_at: String
    public var updated_at: String
    public var published_at: String?
    public var stream_sequence: UInt64?
    public var finished_at: String?
    public var cancelled_at: String?
    /// The executor that reported the outcome; absent until one did.
    public var executor_id: String?
    /// Absent for the default (`tock`), so a job that never asked for another body shape reads as before.
    public var webhook_format: String?
    /// A recurring job's schedule; `run` and `run_at` are then its next run's.
    public var schedule: ScheduleView?
    /// Present (true) only for a paused recurring job.
    public var paused: Bool?
    /// The tenant that owns the job; absent for a job submitted without authentication.
    public var tenant: String?
    /// Called after every terminal outcome of a run; absent when none.
    public var callback_url: String?
    /// Called after a run that failed; absent when none.
    public var failure_callback_url: String?
    /// The flow whose limits pace its runs (its key; the limits are the key's, `GET /v1/flows/{key}`); absent when
    /// none.
    public var flow: FlowKeyView?

    public init(_ job: Job) {
        id = job.id
        shard = job.shard
        state = job.state.rawValue
        priority = job.priority.rawValue
        url = job.target.url
        method = job.target.method
        headers = Dictionary(
            job.target.headers.map(\.redactedForReading).map { ($0.name, $0.value) },
            uniquingKeysWith: { _, last in last })
        body = String(decoding: job.target.body, as: UTF8.self)
        destination = job.destination == .webhook ? nil : job.destination.name
        if case .nats(let message) = job.destination { nats = NATSTargetView(message) }
        run = job.run
        run_at = RFC3339.format(ns: job.dueAtNs)
        timeout = DurationText.format(ns: Int64(job.timeoutMs) * 1_000_000)
        max_attempts = job.maxAttempts
        idempotency_key = job.idempotencyKey.isEmpty ? nil : job.idempotencyKey
        attempts = job.attempts
        last_status = job.lastStatus
        last_error = job.lastError
        created_at = RFC3339.format(ns: job.createdAtNs)
        updated_at = RFC3339.format(ns: job.updatedAtNs)
        published_at = job.publishedAtNs.map(RFC3339.format(ns:))
        stream_sequence = job.streamSequence
        finished_at = job.finishedAtNs.map(RFC3339.format(ns:))
        cancelled_at = job.cancelledAtNs.map(RFC3339.format(ns:))
        executor_id = job.executorID
        webhook_format = job.webhookFormat == .tock ? nil : job.webhookFormat.rawValue
        schedule = job.schedule.map(ScheduleView.init)
        paused = job.paused ? true : nil
        tenant = job.tenant.isEmpty ? nil : job.tenant
        callback_url = job.callbackURL.isEmpty ? nil : job.callbackURL
        failure_callback_url = job.failureCallbackURL.isEmpty ? nil : job.failureCallbackURL
        flow = job.flowKey.isEmpty ? nil : FlowKeyView(key: job.flowKey)
    }
}

/// A job's flow as the API shows it.
public struct FlowKeyView: Codable, Sendable, Equatable {
    public var key: String
}

/// A NATS destination as the API shows it, with the keys a submit takes.
public struct NATSTargetView: Codable, Sendable, Equatable {
    public var subject: String
    public var headers: [String: String]
    public var body: String

    public init(_ message: NATSTarget) {
        subject = message.subject
        headers = Dictionary(message.headers.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })
        body = String(decoding: message.body, as: UTF8.self)
    }
}

/// A schedule as the API shows it, with the same keys a submit takes.
public struct ScheduleView: Codable, Sendable, Equatable {
    public var cron: String
    public var time_zone: String
    public var start: String?
    public var end: String?
    public var overlap: String
    public var misfire: String

    public init(_ schedule: Schedule) {
        cron = schedule.cron
        time_zone = schedule.timeZone.isEmpty ? "UTC" : schedule.timeZone
        start = schedule.startAtNs.map(RFC3339.format(ns:))
        end = schedule.endAtNs.map(RFC3339.format(ns:))
        overlap = schedule.overlap.rawValue
        misfire = schedule.misfire.rawValue
    }
}

/// The body of every error response: `{"error": {"code": …, "field": …, "message": …}}`.
public struct ErrorView: Codable, Sendable, Equatable, Error {
    public struct Detail: Codable, Sendable, Equatable {
        public var code: String
        public var field: String?
        public var message: String
    }

    public var error: Detail

    public init(code: String, field: String? = nil, message: String) {
        error = Detail(code: code, field: field, message: message)
    }

    public init(_ fieldError: FieldError) {
        self.init(code: fieldError.code, field: fieldError.field, message: fieldError.message)
    }
}
