import TockModel
import TockSQLite

/// How many jobs are in each state, for `GET /v1/status` and the metrics.
enum JobCounts {
    enum Column: String, ColumnSet {
        static let table = "jobs"
        static let list = selectList { $0 == .count ? "COUNT(*)" : "state" }

        case state
        case count
    }

    /// Every state's count; only `tenant`'s jobs when it is given (which reads every row: no index has the tenant
    /// first, to keep the submit path's writes cheap). A state this version does not know is an error.
    static func byState(tenant: String? = nil, in db: Database) throws -> [JobState: Int] {
        let statement = try db.statement(
            tenant == nil
                ? "SELECT \(Column.list) FROM jobs GROUP BY state"
                : "SELECT \(Column.list) FROM jobs WHERE tenant = ? GROUP BY state")
        let rows = try statement.map(arguments: tenant.map { [$0] } ?? []) { row in
            (try row.known(Column.state, as: JobState.self), row.int(Column.count))
        }
        return Dictionary(rows, uniquingKeysWith: +)
    }
}
