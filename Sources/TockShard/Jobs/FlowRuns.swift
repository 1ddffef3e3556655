import TockCore
import TockModel
import TockSQLite

/// A flow's runs as the job tables hold them, read through `jobs_flow` (whose condition, `flow_key != ''`, each query
/// repeats: SQLite uses a partial index only for a query that states its condition).
enum FlowRuns {
    /// The run keys of the flow's runs published and not yet done: one-time jobs `published`, and runs of
    /// recurring jobs out in `job_runs`. What a new leader starts its concurrency count from.
    static func open(_ flow: FlowID, in db: Database) throws -> [String] {
        try db.statement(
            """
            SELECT id, run FROM jobs INDEXED BY jobs_flow
            WHERE tenant = ? AND flow_key = ? AND flow_key != '' AND state = 'published' AND schedule IS NULL
            UNION ALL
            SELECT r.job_id, r.run FROM jobs AS j INDEXED BY jobs_flow JOIN job_runs AS r ON r.job_id = j.id
            WHERE j.tenant = ? AND j.flow_key = ? AND j.flow_key != '' AND j.schedule IS NOT NULL
                AND r.state = 'published' AND r.finished_at IS NULL
            """
        ).map(flow.tenant, flow.key, flow.tenant, flow.key) {
            Subjects.runMessageID(jobID: $0.text(0), run: UInt32(clamping: $0.int64(1)))
        }
    }

    /// Per flow of `flows`, its runs due and not yet published, and its runs published and not yet done.
    static func counts(_ flows: [FlowID], nowNs: Int64, in db: Database) throws -> [FlowID: (due: Int, open: Int)] {
        let due = try db.statement(
            """
            SELECT COUNT(*) FROM jobs INDEXED BY jobs_flow
            WHERE tenant = ? AND flow_key = ? AND flow_key != '' AND state = 'scheduled' AND paused = 0
                AND due_at <= ?
            """)
        var counts: [FlowID: (due: Int, open: Int)] = [:]
        for flow in flows {
            counts[flow] = (
                try due.first(flow.tenant, flow.key, nowNs) { $0.int(0) } ?? 0,
                try open(flow, in: db).count
            )
        }
        return counts
    }
}
