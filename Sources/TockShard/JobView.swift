import TockCore

/// A job as the HTTP API shows it: snake_case keys, RFC 3339 times, absent fields omitted.
struct JobView: Encodable {
    var id: String
    var shard: UInt32
    var state: String
    var priority: String
    var url: String
    var method: String
    var headers: [String: String]
    var body: String
    var run: UInt32
    var run_at: String
    var timeout: String
    var max_attempts: UInt32
    var idempotency_key: String?
    var attempts: UInt32
    var last_status: Int32?
    var last_error: String?
    var created_at: String
    var updated_at: String
    var published_at: String?
    var stream_sequence: UInt64?
    var finished_at: String?
    var cancelled_at: String?

    init(_ job: Job) {
        id = job.id
        shard = job.shard
        state = job.state.rawValue
        priority = job.priority.rawValue
        url = job.target.url
        method = job.target.method
        headers = Dictionary(job.target.headers.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })
        body = String(decoding: job.target.body, as: UTF8.self)
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
    }
}

/// The body of every error response: `{"error": {"code": …, "field": …, "message": …}}`.
struct ErrorView: Encodable {
    struct Detail: Encodable {
        var code: String
        var field: String?
        var message: String
    }

    var error: Detail

    init(code: String, field: String? = nil, message: String) {
        error = Detail(code: code, field: field, message: message)
    }

    init(_ fieldError: FieldError) {
        self.init(code: fieldError.code, field: fieldError.field, message: fieldError.message)
    }
}
