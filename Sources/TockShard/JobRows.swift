import TockCore
import TockSQLite
import TockModel
import TockWire

/// Reading and writing `Job` values as rows of the `jobs` table.
enum JobRows {
    static let columns = """
        id, shard, state, priority, url, method, headers, body, timeout_ms, max_attempts, idempotency_key, run,
        due_at, created_at, updated_at, published_at, stream_seq, finished_at, cancelled_at, attempts,
        last_status, last_error, executor_id, webhook_format, schedule, paused, tenant, callback_url,
        failure_callback_url
        """

    static func decode(_ row: Row) throws -> Job {
        let headers = try decodeHeaders(row.blob(6))
        return Job(
            id: row.text(0), shard: UInt32(clamping: row.int64(1)),
            state: JobState(rawValue: row.text(2)) ?? .failed,
            priority: Priority(rawValue: row.text(3)) ?? .normal,
            target: HTTPTarget(url: row.text(4), method: row.text(5), headers: headers, body: row.blob(7)),
            timeoutMs: UInt32(clamping: row.int64(8)), maxAttempts: UInt32(clamping: row.int64(9)),
            idempotencyKey: row.optionalText(10) ?? "", run: UInt32(clamping: row.int64(11)),
            dueAtNs: row.int64(12), createdAtNs: row.int64(13), updatedAtNs: row.int64(14),
            publishedAtNs: row.optionalInt64(15), streamSequence: row.optionalInt64(16).map { UInt64(bitPattern: $0) },
            finishedAtNs: row.optionalInt64(17), cancelledAtNs: row.optionalInt64(18),
            attempts: UInt32(clamping: row.int64(19)), lastStatus: row.optionalInt64(20).map { Int32(clamping: $0) },
            lastError: row.optionalText(21), executorID: row.optionalText(22),
            webhookFormat: WebhookFormat(rawValue: row.text(23)) ?? .tock,
            schedule: try row.optionalText(24).map(ScheduleColumn.decode), paused: row.int64(25) != 0,
            tenant: row.text(26), callbackURL: row.text(27), failureCallbackURL: row.text(28))
    }

    /// `[{"name": …, "value": …}, …]`, with `"secret": true` on a header marked secret; read and written for
    /// every job: directly, not through Codable.
    static func encodeHeaders(_ headers: [Header]) -> [UInt8] {
        var json = JSONText(capacity: 2 + headers.count * 48)
        json.array(headers) { json, header in
            json.object { json in
                json.key("name")
                json.string(header.name)
                json.key("value")
                json.string(header.value)
                if header.secret {
                    json.key("secret")
                    json.bool(true)
                }
            }
        }
        return json.bytes
    }

    static func decodeHeaders(_ bytes: [UInt8]) throws -> [Header] {
        if bytes == [UInt8(ascii: "["), UInt8(ascii: "]")] { return [] }
        guard case .array(let items)? = JSONValue(parsing: bytes) else { throw StoredHeadersError() }
        return try items.map { item in
            guard case .object(let fields) = item, case .string(let name)? = fields["name"],
                  case .string(let value)? = fields["value"] else { throw StoredHeadersError() }
            return Header(name: name, value: value, secret: fields["secret"] == .bool(true))
        }
    }

    struct StoredHeadersError: Error, CustomStringConvertible {
        var description: String { "a job's stored headers are not a JSON list of names and values" }
    }

    static func find(id: String, in db: Database) throws -> Job? {
        try db.statement("SELECT \(columns) FROM jobs WHERE id = ?").first(id, transform: decode)
    }

    /// Keys are per tenant: two tenants may use the same key for two jobs.
    static func find(idempotencyKey: String, tenant: String, in db: Database) throws -> Job? {
        try db.statement("SELECT \(columns) FROM jobs WHERE tenant = ? AND idempotency_key = ?")
            .first(tenant, idempotencyKey, transform: decode)
    }
}
