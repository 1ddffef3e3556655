import CSQLite
import Foundation
import TockSQLite
import XCTest

/// What `Database` sets for the whole process before SQLite initializes.
final class ProcessSettingsTests: XCTestCase {
    /// SQLite counts memory only with its statistics on, and takes a global mutex around every allocation to do
    /// it; with them off, the count stays 0 however much a connection allocates.
    func testMemoryStatisticsAreOff() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tock-memstatus-\(UUID()).sqlite")
        defer { try? FileManager.default.removeItem(at: path) }
        let db = try Database(path: path.path)
        try db.execute(
            """
            CREATE TABLE t (v BLOB);
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
            INSERT INTO t SELECT randomblob(4000) FROM n;
            """)
        XCTAssertEqual(sqlite3_memory_used(), 0)
    }
}
