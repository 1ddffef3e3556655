import Foundation
import TockCore
import TockSQLite
import XCTest

@testable import TockShard

/// The due-timer's window scan reads only scheduled, unpaused runs, in key order from its start, from the index alone.
final class ScheduledRunScanTests: XCTestCase {
    var directory: URL!
    var db: Database!

    override func setUpWithError() throws {
        (directory, db) = try ShardTestDatabase.make("tock-scan")
    }

    override func tearDownWithError() throws {
        db = nil
        ShardTestDatabase.remove(directory)
    }

    func insert(_ id: String, due: Int64, state: String = "scheduled", paused: Bool = false, run: Int64 = 1) throws {
        try db.statement(
            """
            INSERT INTO jobs (id, shard, state, priority, url, method, headers, body, timeout_ms, max_attempts, run,
                              due_at, created_at, updated_at, paused)
            VALUES (?, 0, ?, 'normal', 'http://h/p', 'POST', X'', X'', 1000, 5, ?, ?, 0, 0, ?)
            """
        ).run(id, state, run, due, paused ? 1 : 0)
    }

    func testReadsScheduledUnpausedRunsInKeyOrderFromTheStartKeyToTheEnd() throws {
        try insert("a", due: 10)
        try insert("b", due: 20, run: 3)
        try insert("c", due: 20)
        try insert("d", due: 30)
        try insert("paused", due: 15, paused: true)
        try insert("published", due: 15, state: "published")
        try insert("late", due: 50)

        let all = try ScheduledRunScan.rows(DueWindow.Scan(from: .lowest, untilNs: 50, limit: 100), in: db)
        XCTAssertEqual(
            all,
            [
                DueEntry(dueAtNs: 10, jobID: "a", run: 1), DueEntry(dueAtNs: 20, jobID: "b", run: 3),
                DueEntry(dueAtNs: 20, jobID: "c", run: 1), DueEntry(dueAtNs: 30, jobID: "d", run: 1),
            ])
        let page = try ScheduledRunScan.rows(
            DueWindow.Scan(from: DueKey(dueAtNs: 20, jobID: "c"), untilNs: 50, limit: 1), in: db)
        XCTAssertEqual(page.map(\.jobID), ["c"])
    }

    func testTheScanReadsTheCoveringIndexNotTheTable() throws {
        let plan = try db.statement("EXPLAIN QUERY PLAN " + ScheduledRunScan.sql).map(
            Int64(0), "", Int64(100), Int64(10)
        ) { $0.text(3) }.joined(separator: "; ")
        XCTAssertTrue(plan.contains("COVERING INDEX jobs_due_lane"), plan)
        XCTAssertFalse(plan.contains("TEMP B-TREE"), "no sort: \(plan)")
    }

    func testCountingAndListingByStateReadTheStateIndexWithoutSorting() throws {
        let counts = try db.statement("EXPLAIN QUERY PLAN SELECT state, COUNT(*) FROM jobs GROUP BY state")
            .map { $0.text(3) }.joined(separator: "; ")
        XCTAssertTrue(counts.contains("COVERING INDEX jobs_state"), counts)
        XCTAssertFalse(counts.contains("TEMP B-TREE"), "no sort: \(counts)")
        let page = try db.statement(
            "EXPLAIN QUERY PLAN SELECT * FROM jobs WHERE state = ? AND id > ? ORDER BY id LIMIT ?"
        )
        .map("scheduled", "", Int64(10)) { $0.text(3) }.joined(separator: "; ")
        XCTAssertTrue(page.contains("INDEX jobs_state"), page)
        XCTAssertFalse(page.contains("TEMP B-TREE"), "no sort: \(page)")
    }
}
