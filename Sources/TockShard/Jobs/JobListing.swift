import TockModel
import TockSQLite
import TockWire

/// Pages through a shard's jobs by id. Ids start with the shard and then a ULID, so within a shard id order is
/// creation order and a page boundary is stable while jobs are added.
///
/// A page examines at most `scanLimit` jobs in the filter's states after the cursor, so a filter that few jobs
/// match (a host, a time range) costs a bounded read however many jobs the shard holds: when the page fills up
/// or the examined jobs run out first, `resumeAfter` says where the next page goes on. The reads run on the
/// connection the Raft log writes through, so an unbounded one would hold up commits.
enum JobListing {
    static let defaultScanLimit = 10_000

    struct Page: Sendable, Equatable {
        var jobs: [Job]
        /// The id the next page continues after; nil when no job after this page can match.
        var resumeAfter: String?
    }

    static func page(
        _ filter: JobFilter, afterID: String?, limit: Int, scanLimit: Int = defaultScanLimit,
        in db: Database
    ) throws -> Page {
        var conditions: [String] = []
        var arguments: [any SQLBindable] = []
        if let priority = filter.priority {
            conditions.append("priority = ?")
            arguments.append(priority.rawValue)
        }
        if let tenant = filter.tenant {
            conditions.append("tenant = ?")
            arguments.append(tenant)
        }
        if let host = filter.host {
            conditions.append("\(JobFilter.hostSQL) = ?")
            arguments.append(host)
        }
        if let since = filter.updatedSinceNs {
            conditions.append("updated_at >= ?")
            arguments.append(since)
        }
        if let until = filter.updatedUntilNs {
            conditions.append("updated_at < ?")
            arguments.append(until)
        }
        if filter.oneTimeOnly { conditions.append("schedule IS NULL") }
        // Without conditions every job of the window matches: the window is the page.
        let window = Self.window(filter.states, afterID: afterID, limit: conditions.isEmpty ? limit : scanLimit)
        let matchWhere = (["id IN (\(window.sql))"] + conditions).joined(separator: " AND ")
        let jobs = try db.statement("SELECT \(JobRows.columns) FROM jobs WHERE \(matchWhere) ORDER BY id LIMIT ?")
            .map(arguments: window.arguments + arguments + [Int64(limit)], transform: JobRows.decode)
        if jobs.count >= limit { return Page(jobs: jobs, resumeAfter: jobs.last?.id) }
        if conditions.isEmpty { return Page(jobs: jobs, resumeAfter: nil) }
        let examined = try db.statement("SELECT \(ExaminedColumn.list) FROM (\(window.sql))")
            .map(arguments: window.arguments) {
                (count: $0.int(ExaminedColumn.count), last: $0.optionalText(ExaminedColumn.last))
            }.first
        guard let examined, examined.count >= scanLimit else { return Page(jobs: jobs, resumeAfter: nil) }
        return Page(jobs: jobs, resumeAfter: examined.last)
    }

    /// The ids of the first `limit` jobs in `states` after `afterID`, in id order, read from `jobs_state` (or the
    /// id index for every state). Several states are read one range each, at most `limit` entries apiece, and
    /// merged: a single `state IN (…)` would sort every entry of those states to find the first few.
    static func window(_ states: [JobState], afterID: String?, limit: Int) -> (
        sql: String, arguments: [any SQLBindable]
    ) {
        let after = afterID == nil ? "" : "id > ?"
        func range(_ state: JobState?) -> (sql: String, arguments: [any SQLBindable]) {
            let conditions = (state == nil ? [] : ["state = ?"]) + (after.isEmpty ? [] : [after])
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            let arguments: [any SQLBindable] = (state.map { [$0.rawValue] } ?? []) + (afterID.map { [$0] } ?? [])
            return ("SELECT id FROM jobs \(filter) ORDER BY id LIMIT ?", arguments + [Int64(limit)])
        }
        guard states.count > 1 else { return range(states.first) }
        let ranges = states.map(range)
        let union = ranges.map { "SELECT id FROM (\($0.sql))" }.joined(separator: " UNION ALL ")
        return ("SELECT id FROM (\(union)) ORDER BY id LIMIT ?", ranges.flatMap(\.arguments) + [Int64(limit)])
    }

    static func page(
        state: JobState?, priority: Priority?, tenant: String? = nil, afterID: String?, limit: Int,
        in db: Database
    ) throws -> [Job] {
        try page(
            JobFilter(states: state.map { [$0] } ?? [], priority: priority, tenant: tenant), afterID: afterID,
            limit: limit, in: db
        ).jobs
    }
}

/// How far a filtered listing's window reached: how many ids it held and the last of them.
private enum ExaminedColumn: String, ColumnSet {
    static let table = "jobs"
    static let list = selectList { $0 == .count ? "COUNT(*)" : "MAX(id)" }

    case count
    case last
}
