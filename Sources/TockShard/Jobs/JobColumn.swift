import TockSQLite

/// The `jobs` columns a `Job` is read from, by name (`ColumnSet`).
enum JobColumn: String, ColumnSet {
    static let table = "jobs"

    case id, shard, state, priority, url, method, headers, body
    case timeoutMs = "timeout_ms"
    case maxAttempts = "max_attempts"
    case idempotencyKey = "idempotency_key"
    case run
    case dueAt = "due_at"
    case createdAt = "created_at"
    case updatedAt = "updated_at"
    case publishedAt = "published_at"
    case streamSequence = "stream_seq"
    case finishedAt = "finished_at"
    case cancelledAt = "cancelled_at"
    case attempts
    case lastStatus = "last_status"
    case lastError = "last_error"
    case executorID = "executor_id"
    case webhookFormat = "webhook_format"
    case schedule, paused, tenant
    case callbackURL = "callback_url"
    case failureCallbackURL = "failure_callback_url"
    case destination
    case flowKey = "flow_key"
}
