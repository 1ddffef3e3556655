import TockSQLite

/// The `jobs` columns a `Job` is read from. The SELECT list is made from this enum, so a column is read by its
/// name and the list and the reader cannot drift apart.
enum JobColumn: String, CaseIterable {
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

    /// `id, shard, state, …`: what `JobRows.decode` reads.
    static let selectList = allCases.map(\.rawValue).joined(separator: ", ")

    fileprivate var index: Int32 { Self.indices[self]! }
    private static let indices = Dictionary(uniqueKeysWithValues: allCases.enumerated().map { ($1, Int32($0)) })
}

/// A value in the `jobs` table that this version does not know: a damaged or a newer database. Reading it as
/// some default would serve, and later replicate, a job that is not the one stored.
struct UnknownStoredValue: Error, CustomStringConvertible {
    let column: JobColumn
    let value: String
    var description: String { "jobs.\(column.rawValue) holds \"\(value)\", which this version does not know" }
}

extension Row {
    func text(_ column: JobColumn) -> String { text(column.index) }
    func optionalText(_ column: JobColumn) -> String? { optionalText(column.index) }
    func int64(_ column: JobColumn) -> Int64 { int64(column.index) }
    func optionalInt64(_ column: JobColumn) -> Int64? { optionalInt64(column.index) }
    func blob(_ column: JobColumn) -> [UInt8] { blob(column.index) }

    /// The column's text as a `T`, or `UnknownStoredValue`.
    func known<T: RawRepresentable<String>>(_ column: JobColumn, as _: T.Type = T.self) throws -> T {
        let stored = text(column)
        guard let value = T(rawValue: stored) else { throw UnknownStoredValue(column: column, value: stored) }
        return value
    }
}
