import TockModel
import TockSQLite

/// A flow key's limits as one row of the `flows` table. A key without a row has no limits: its runs still share
/// the leader's publishing in turn with other keys, and go out as they fall due.
public struct FlowRecord: Sendable, Equatable {
    public var flow: FlowID
    public var limits: FlowLimits
    public var updatedAtNs: Int64

    public init(flow: FlowID, limits: FlowLimits, updatedAtNs: Int64) {
        self.flow = flow
        self.limits = limits
        self.updatedAtNs = updatedAtNs
    }
}

/// Reading and writing `FlowRecord`s.
enum FlowRows {
    enum Column: String, ColumnSet {
        static let table = "flows"

        case tenant, key
        case rateCount = "rate_count"
        case ratePeriodNs = "rate_period_ns"
        case concurrency
        case updatedAt = "updated_at"
    }

    static func decode(_ row: Row) -> FlowRecord {
        let count = row.optionalInt64(Column.rateCount)
        let period = row.optionalInt64(Column.ratePeriodNs)
        let rate = count.flatMap { count in
            period.map { FlowRate(count: UInt32(clamping: count), periodNs: $0) }
        }
        return FlowRecord(
            flow: FlowID(tenant: row.text(Column.tenant), key: row.text(Column.key)),
            limits: FlowLimits(
                rate: rate, concurrency: row.optionalInt64(Column.concurrency).map { UInt32(clamping: $0) }),
            updatedAtNs: row.int64(Column.updatedAt))
    }

    static func find(_ flow: FlowID, in db: Database) throws -> FlowRecord? {
        try db.statement("SELECT \(Column.selectList) FROM flows WHERE tenant = ? AND key = ?")
            .first(flow.tenant, flow.key, transform: decode)
    }

    /// One page of flows in key order after `after`, of one tenant (nil: every tenant's).
    static func list(tenant: String?, after: FlowID?, limit: Int, in db: Database) throws -> [FlowRecord] {
        let after = after ?? FlowID(tenant: "", key: "")
        if let tenant {
            return try db.statement(
                "SELECT \(Column.selectList) FROM flows WHERE tenant = ? AND key > ? ORDER BY key LIMIT ?"
            ).map(tenant, after.tenant == tenant ? after.key : "", Int64(limit), transform: decode)
        }
        return try db.statement(
            "SELECT \(Column.selectList) FROM flows WHERE (tenant, key) > (?, ?) ORDER BY tenant, key LIMIT ?"
        ).map(after.tenant, after.key, Int64(limit), transform: decode)
    }

    static func upsert(_ flow: FlowID, _ limits: FlowLimits, at nowNs: Int64, in db: Database) throws {
        try db.statement(
            """
            INSERT INTO flows (tenant, key, rate_count, rate_period_ns, concurrency, updated_at)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (tenant, key) DO UPDATE SET rate_count = excluded.rate_count,
                rate_period_ns = excluded.rate_period_ns, concurrency = excluded.concurrency,
                updated_at = excluded.updated_at
            """
        ).run(flow.tenant, flow.key, limits.rate?.count, limits.rate?.periodNs, limits.concurrency, nowNs)
    }

    @discardableResult
    static func delete(_ flow: FlowID, in db: Database) throws -> Int {
        try db.statement("DELETE FROM flows WHERE tenant = ? AND key = ?").run(flow.tenant, flow.key)
    }
}
