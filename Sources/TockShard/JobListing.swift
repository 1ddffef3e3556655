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

    static func page(_ filter: JobFilter, afterID: String?, limit: Int, scanLimit: Int = defaultScanLimit,
                     in db: Database) throws -> Page
    {
        // The examined window: the filter's states (an index of state and id) after the cursor, in id order.
        var window: [String] = []
        var windowArguments: [any SQLBindable] = []
        if let afterID {
            window.append("id > ?")
            windowArguments.append(afterID)
        }
        if !filter.states.isEmpty {
            window.append("state IN (\(filter.states.map { _ in "?" }.joined(separator: ", ")))")
            windowArguments.append(contentsOf: filter.states.map(\.rawValue))
        }
        let windowWhere = window.isEmpty ? "" : "WHERE " + window.joined(separator: " AND ")
        let windowSQL = "SELECT id FROM jobs \(windowWhere) ORDER BY id LIMIT ?"
        windowArguments.append(Int64(scanLimit))

        var conditions: [String] = []
        var arguments: [any SQLBindable] = windowArguments
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
        if conditions.isEmpty {
            // Every job of the window matches: read the page straight from the index.
            windowArguments[windowArguments.count - 1] = Int64(limit)
            let jobs = try db.statement("SELECT \(JobRows.columns) FROM jobs \(windowWhere) ORDER BY id LIMIT ?")
                .map(arguments: windowArguments, transform: JobRows.decode)
            return Page(jobs: jobs, resumeAfter: jobs.count >= limit ? jobs.last?.id : nil)
        }
        arguments.append(Int64(limit))
        let matchWhere = (["id IN (\(windowSQL))"] + conditions).joined(separator: " AND ")
        let jobs = try db.statement("SELECT \(JobRows.columns) FROM jobs WHERE \(matchWhere) ORDER BY id LIMIT ?")
            .map(arguments: arguments, transform: JobRows.decode)
        if jobs.count >= limit { return Page(jobs: jobs, resumeAfter: jobs.last?.id) }
        let examined = try db.statement("SELECT COUNT(*), MAX(id) FROM (\(windowSQL))")
            .map(arguments: windowArguments) { (count: $0.int(0), last: $0.optionalText(1)) }.first
        guard let examined, examined.count >= scanLimit else { return Page(jobs: jobs, resumeAfter: nil) }
        return Page(jobs: jobs, resumeAfter: examined.last)
    }

    static func page(state: JobState?, priority: Priority?, tenant: String? = nil, afterID: String?, limit: Int,
                     in db: Database) throws -> [Job]
    {
        try page(JobFilter(states: state.map { [$0] } ?? [], priority: priority, tenant: tenant), afterID: afterID,
                 limit: limit, in: db).jobs
    }
}
