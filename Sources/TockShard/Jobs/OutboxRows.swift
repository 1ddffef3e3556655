import TockModel
import TockSQLite
import TockWire

/// The outbox of outcome events, `job_events`: the state machine writes a row in the same transaction as a run's
/// terminal outcome (so every replica holds it, with no second write to forget), the leader's `OutcomePublisher`
/// publishes the rows in order, and a replicated `deleteEvents` removes them. Each row holds the whole event, so
/// publishing never depends on the job row still being there.
enum OutboxRows {
    /// The `job_events` columns, by name (`ColumnSet`).
    enum Column: String, ColumnSet {
        static let table = "job_events"

        case jobID = "job_id"
        case run
        case state
        case shard
        case attempts
        case lastStatus = "last_status"
        case lastError = "last_error"
        case finishedAt = "finished_at"
        case tenant
        case priority
        case idempotencyKey = "idempotency_key"
        case callbackURL = "callback_url"
        case failureCallbackURL = "failure_callback_url"
        case recurring
        case maxAttempts = "max_attempts"
        case timeoutMs = "timeout_ms"
    }

    static let columns = Column.selectList

    /// The event of a run of `job` that ended as `completion` says.
    static func event(of job: Job, _ completion: Completion, state: JobState) -> OutcomeEvent {
        event(
            of: job, run: completion.run, state: state == .succeeded ? .succeeded : .failed,
            attempts: completion.attempts, status: completion.httpStatus == 0 ? nil : completion.httpStatus,
            error: completion.error.isEmpty ? nil : completion.error, at: completion.finishedAtNs)
    }

    static func event(
        of job: Job, run: UInt32, state: OutcomeEvent.State, attempts: UInt32, status: Int32?,
        error: String?, at finishedAtNs: Int64
    ) -> OutcomeEvent {
        OutcomeEvent(
            jobID: job.id, run: run, shard: job.shard, state: state, attempts: attempts,
            lastHTTPStatus: status ?? 0, error: error ?? "", finishedAtNs: finishedAtNs, tenant: job.tenant,
            priority: job.priority, idempotencyKey: job.idempotencyKey, callbackURL: job.callbackURL,
            failureCallbackURL: job.failureCallbackURL, recurring: job.schedule != nil,
            maxAttempts: job.maxAttempts, timeoutMs: job.timeoutMs)
    }

    /// Applying the same outcome twice writes one row (the key is unique).
    static func insert(_ event: OutcomeEvent, in db: Database) throws {
        try db.statement(
            """
            INSERT OR IGNORE INTO job_events (\(columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """
        ).run(
            event.jobID, event.run, event.state.rawValue, event.shard, event.attempts,
            event.lastHTTPStatus == 0 ? nil : event.lastHTTPStatus, event.error.isEmpty ? nil : event.error,
            event.finishedAtNs, event.tenant, event.priority.rawValue,
            event.idempotencyKey.isEmpty ? nil : event.idempotencyKey, event.callbackURL,
            event.failureCallbackURL, event.recurring ? 1 : 0, event.maxAttempts, event.timeoutMs)
    }

    /// Deletes published events; a key not in the outbox (deleted already) is skipped. Returns how many went.
    static func delete(_ keys: [OutcomeEvent.Key], in db: Database) throws -> Int {
        let delete = try db.statement("DELETE FROM job_events WHERE job_id = ? AND run = ? AND state = ?")
        var deleted = 0
        for key in keys { deleted += try delete.run(key.jobID, key.run, key.state.rawValue) }
        return deleted
    }

    /// Up to `limit` events, oldest first.
    static func oldest(limit: Int, in db: Database) throws -> [OutcomeEvent] {
        try db.statement("SELECT \(columns) FROM job_events ORDER BY seq LIMIT ?").map(limit, transform: decode)
    }

    /// Events not yet published (or not yet deleted).
    static func count(in db: Database) throws -> Int {
        try db.statement("SELECT COUNT(*) FROM job_events").first { $0.int(0) } ?? 0
    }

    static func decode(_ row: Row) throws -> OutcomeEvent {
        OutcomeEvent(
            jobID: row.text(Column.jobID), run: UInt32(clamping: row.int64(Column.run)),
            shard: UInt32(clamping: row.int64(Column.shard)), state: try row.known(Column.state),
            attempts: UInt32(clamping: row.int64(Column.attempts)),
            lastHTTPStatus: Int32(clamping: row.optionalInt64(Column.lastStatus) ?? 0),
            error: row.optionalText(Column.lastError) ?? "", finishedAtNs: row.int64(Column.finishedAt),
            tenant: row.text(Column.tenant), priority: try row.known(Column.priority),
            idempotencyKey: row.optionalText(Column.idempotencyKey) ?? "", callbackURL: row.text(Column.callbackURL),
            failureCallbackURL: row.text(Column.failureCallbackURL), recurring: row.int64(Column.recurring) != 0,
            maxAttempts: UInt32(clamping: row.int64(Column.maxAttempts)),
            timeoutMs: UInt32(clamping: row.int64(Column.timeoutMs)))
    }
}
