import TockModel
import TockSQLite

extension FlowRuns {
    /// Every flow's runs published and not yet done, in one pass: one-time jobs through `jobs_flow` (the flows' jobs
    /// only, so a shard without flows reads nothing, whatever its backlog), runs of recurring jobs through
    /// `job_runs_published`. What the metrics and the flow list read for flows the leader's gate does not count
    /// (those without a concurrency limit).
    static func inFlight(in db: Database) throws -> [FlowID: Int] {
        var counts: [FlowID: Int] = [:]
        try db.statement(
            """
            SELECT tenant, flow_key, COUNT(*) FROM jobs INDEXED BY jobs_flow
            WHERE flow_key != '' AND state = 'published' AND schedule IS NULL
            GROUP BY tenant, flow_key
            UNION ALL
            SELECT j.tenant, j.flow_key, COUNT(*)
            FROM job_runs AS r INDEXED BY job_runs_published JOIN jobs AS j ON j.id = r.job_id
            WHERE r.state = 'published' AND r.finished_at IS NULL AND j.flow_key != ''
            GROUP BY j.tenant, j.flow_key
            """
        ).forEach { row in
            counts[FlowID(tenant: row.text(0), key: row.text(1)), default: 0] += row.int(2)
        }
        return counts
    }
}
