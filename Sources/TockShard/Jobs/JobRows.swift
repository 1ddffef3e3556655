import TockCore
import TockModel
import TockSQLite
import TockWire

/// Reading and writing `Job` values as rows of the `jobs` table.
enum JobRows {
    static let columns = JobColumn.selectList

    static func decode(_ row: Row) throws -> Job {
        Job(
            id: row.text(.id), shard: UInt32(clamping: row.int64(.shard)),
            state: try row.known(.state), priority: try row.known(.priority),
            target: HTTPTarget(
                url: row.text(.url), method: row.text(.method),
                headers: try decodeHeaders(row.blob(.headers)), body: row.blob(.body)),
            timeoutMs: UInt32(clamping: row.int64(.timeoutMs)), maxAttempts: UInt32(clamping: row.int64(.maxAttempts)),
            idempotencyKey: row.optionalText(.idempotencyKey) ?? "", run: UInt32(clamping: row.int64(.run)),
            dueAtNs: row.int64(.dueAt), createdAtNs: row.int64(.createdAt), updatedAtNs: row.int64(.updatedAt),
            publishedAtNs: row.optionalInt64(.publishedAt),
            streamSequence: row.optionalInt64(.streamSequence).map { UInt64(bitPattern: $0) },
            finishedAtNs: row.optionalInt64(.finishedAt), cancelledAtNs: row.optionalInt64(.cancelledAt),
            attempts: UInt32(clamping: row.int64(.attempts)),
            lastStatus: row.optionalInt64(.lastStatus).map { Int32(clamping: $0) },
            lastError: row.optionalText(.lastError), executorID: row.optionalText(.executorID),
            webhookFormat: try row.known(.webhookFormat),
            schedule: try row.optionalText(.schedule).map(ScheduleColumn.decode), paused: row.int64(.paused) != 0,
            tenant: row.text(.tenant), callbackURL: row.text(.callbackURL),
            failureCallbackURL: row.text(.failureCallbackURL))
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
                case .string(let value)? = fields["value"]
            else { throw StoredHeadersError() }
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
