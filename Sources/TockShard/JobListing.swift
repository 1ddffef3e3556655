import TockSQLite
import TockWire

/// Pages through a shard's jobs by id. Ids start with the shard and then a ULID, so within a shard id order is
/// creation order and a page boundary is stable while jobs are added.
enum JobListing {
    static func page(state: JobState?, priority: Priority?, tenant: String? = nil, afterID: String?, limit: Int,
                     in db: Database) throws -> [Job]
    {
        var conditions: [String] = []
        var arguments: [any SQLBindable] = []
        if let afterID {
            conditions.append("id > ?")
            arguments.append(afterID)
        }
        if let state {
            conditions.append("state = ?")
            arguments.append(state.rawValue)
        }
        if let priority {
            conditions.append("priority = ?")
            arguments.append(priority.rawValue)
        }
        if let tenant {
            conditions.append("tenant = ?")
            arguments.append(tenant)
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        arguments.append(Int64(limit))
        return try db.statement("SELECT \(JobRows.columns) FROM jobs \(filter) ORDER BY id LIMIT ?")
            .map(arguments: arguments, transform: JobRows.decode)
    }
}
