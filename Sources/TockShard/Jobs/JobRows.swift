import TockCore
import TockModel
import TockSQLite
import TockWire

/// Reading and writing `Job` values as rows of the `jobs` table.
enum JobRows {
    static let columns = JobColumn.selectList

    /// `jobs.destination`. A NATS destination keeps its subject in `url` and its message's headers and body in
    /// `headers` and `body`; a timer keeps nothing there.
    enum StoredDestination: String {
        case webhook, nats, timer
    }

    static func decode(_ row: Row) throws -> Job {
        let headers = try decodeHeaders(row.blob(JobColumn.headers))
        let target: HTTPTarget
        let destination: Destination
        switch try row.known(JobColumn.destination) as StoredDestination {
        case .webhook:
            target = HTTPTarget(
                url: row.text(JobColumn.url), method: row.text(JobColumn.method), headers: headers,
                body: row.blob(JobColumn.body))
            destination = .webhook
        case .nats:
            target = .empty
            destination = .nats(
                NATSTarget(subject: row.text(JobColumn.url), headers: headers, body: row.blob(JobColumn.body)))
        case .timer:
            target = .empty
            destination = .timer
        }
        return Job(
            id: row.text(JobColumn.id), shard: UInt32(clamping: row.int64(JobColumn.shard)),
            state: try row.known(JobColumn.state), priority: try row.known(JobColumn.priority),
            target: target,
            timeoutMs: UInt32(clamping: row.int64(JobColumn.timeoutMs)),
            maxAttempts: UInt32(clamping: row.int64(JobColumn.maxAttempts)),
            idempotencyKey: row.optionalText(JobColumn.idempotencyKey) ?? "",
            run: UInt32(clamping: row.int64(JobColumn.run)),
            dueAtNs: row.int64(JobColumn.dueAt), createdAtNs: row.int64(JobColumn.createdAt),
            updatedAtNs: row.int64(JobColumn.updatedAt),
            publishedAtNs: row.optionalInt64(JobColumn.publishedAt),
            streamSequence: row.optionalInt64(JobColumn.streamSequence).map { UInt64(bitPattern: $0) },
            finishedAtNs: row.optionalInt64(JobColumn.finishedAt),
            cancelledAtNs: row.optionalInt64(JobColumn.cancelledAt),
            attempts: UInt32(clamping: row.int64(JobColumn.attempts)),
            lastStatus: row.optionalInt64(JobColumn.lastStatus).map { Int32(clamping: $0) },
            lastError: row.optionalText(JobColumn.lastError), executorID: row.optionalText(JobColumn.executorID),
            webhookFormat: try row.known(JobColumn.webhookFormat),
            schedule: try row.optionalText(JobColumn.schedule).map(ScheduleColumn.decode),
            paused: row.int64(JobColumn.paused) != 0,
            tenant: row.text(JobColumn.tenant), callbackURL: row.text(JobColumn.callbackURL),
            failureCallbackURL: row.text(JobColumn.failureCallbackURL), destination: destination,
            flowKey: row.text(JobColumn.flowKey))
    }

    /// What the `url`, `method`, `headers`, `body` and `destination` columns hold for `spec`.
    static func targetColumns(of spec: JobSpec) -> (
        url: String, method: String, headers: [UInt8], body: [UInt8], destination: String
    ) {
        switch spec.destination {
        case .webhook:
            (spec.target.url, spec.target.method, encodeHeaders(spec.target.headers), spec.target.body, "webhook")
        case .nats(let message):
            (message.subject, "", encodeHeaders(message.headers), message.body, "nats")
        case .timer:
            ("", "", encodeHeaders([]), [], "timer")
        }
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
