import TockCore
import TockModel
import TockSQLite

/// The index scan that fills the due-timer's window: scheduled, unpaused runs in due order from a key, read from
/// `jobs_due_lane` alone (it holds every column the scan reads), so the cost follows the rows returned, not the
/// number of jobs in the shard. Named, because without statistics the planner would rather take `jobs_state`.
enum ScheduledRunScan {
    enum Column: String, ColumnSet {
        static let table = "jobs"

        case dueAt = "due_at"
        case id
        case run
        case priority
        case tenant
        case flowKey = "flow_key"
    }

    static let sql = """
        SELECT \(Column.selectList) FROM jobs INDEXED BY jobs_due_lane
        WHERE state = 'scheduled' AND paused = 0 AND (due_at, id) >= (?, ?) AND due_at < ?
        ORDER BY due_at, id LIMIT ?
        """

    static func rows(_ scan: DueWindow.Scan, in db: Database) throws -> [DueEntry] {
        try db.statement(sql).map(scan.from.dueAtNs, scan.from.jobID, scan.untilNs, Int64(scan.limit)) {
            DueEntry(
                dueAtNs: $0.int64(Column.dueAt), jobID: $0.text(Column.id), run: UInt32(clamping: $0.int64(Column.run)),
                lane: DueLane(
                    priority: Priority(rawValue: $0.text(Column.priority)) ?? .normal, tenant: $0.text(Column.tenant),
                    flowKey: $0.text(Column.flowKey)))
        }
    }

    /// Runs due at or before `nowNs` and still scheduled: due but not yet committed as published. Counted from the
    /// same index; a large number means the leader is behind (or cannot reach JetStream).
    static func dueUnpublished(nowNs: Int64, in db: Database) throws -> Int {
        try db.statement(
            "SELECT COUNT(*) FROM jobs INDEXED BY jobs_due_lane WHERE state = 'scheduled' AND paused = 0 AND due_at <= ?"
        )
        .first(nowNs) { $0.int(0) } ?? 0
    }
}
