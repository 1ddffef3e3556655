import Foundation
import TockModel
import TockSQLite
import XCTest

@testable import TockShard

/// A stored job is read column by column by name; a value this version does not know is an error naming the
/// column, not a default that would serve (and later replicate) another job than the one stored.
final class JobRowsTests: XCTestCase {
    var directory: URL!
    var db: Database!

    override func setUpWithError() throws {
        (directory, db) = try ShardTestDatabase.make("tock-jobrows")
        let spec = JobSpec(
            id: "0-a", priority: .high,
            target: HTTPTarget(
                url: "http://h/p", method: "PUT", headers: [],
                body: [1, 2]),
            timeoutMs: 1500, maxAttempts: 3, idempotencyKey: "k", dueAtNs: 500)
        _ = try db.transaction { try JobStateMachine(shard: 0).apply(.createJob(spec, createdAtNs: 100), in: db) }
    }

    override func tearDownWithError() throws {
        db = nil
        ShardTestDatabase.remove(directory)
    }

    func testAStoredJobReadsBackFieldByField() throws {
        let job = try XCTUnwrap(try JobRows.find(id: "0-a", in: db))
        XCTAssertEqual(job.priority, .high)
        XCTAssertEqual(job.state, .scheduled)
        XCTAssertEqual(job.target.method, "PUT")
        XCTAssertEqual(job.target.body, [1, 2])
        XCTAssertEqual(job.timeoutMs, 1500)
        XCTAssertEqual(job.maxAttempts, 3)
        XCTAssertEqual(job.idempotencyKey, "k")
        XCTAssertEqual(job.dueAtNs, 500)
        XCTAssertEqual(job.createdAtNs, 100)
        XCTAssertEqual(job.webhookFormat, .tock)
    }

    func testAnUnknownStoredValueIsAnErrorNamingItsColumn() throws {
        for (column, value) in [("state", "exploded"), ("priority", "urgent"), ("webhook_format", "xml")] {
            try db.execute("SAVEPOINT probe")
            try db.execute("UPDATE jobs SET \(column) = '\(value)' WHERE id = '0-a'")
            XCTAssertThrowsError(try JobRows.find(id: "0-a", in: db)) { error in
                XCTAssertTrue("\(error)".contains("jobs.\(column) holds \"\(value)\""), "\(error)")
            }
            try db.execute("ROLLBACK TO probe")
            try db.execute("RELEASE probe")
        }
        XCTAssertNoThrow(try JobRows.find(id: "0-a", in: db))
    }

    func testAnOutboxEventWithAnUnknownStateOrPriorityIsAnError() throws {
        let insert = """
            INSERT INTO job_events (job_id, run, state, shard, attempts, finished_at, tenant, priority,
                                    callback_url, failure_callback_url, recurring, max_attempts, timeout_ms)
            VALUES ('0-a', 1, ?, 0, 1, 5, '', ?, '', '', 0, 1, 1000)
            """
        try db.statement(insert).run("succeeded", "high")
        XCTAssertEqual(try OutboxRows.oldest(limit: 10, in: db).map(\.priority), [.high])
        try db.execute("DELETE FROM job_events")
        for (state, priority, column) in [("exploded", "high", "state"), ("failed", "urgent", "priority")] {
            try db.statement(insert).run(state, priority)
            XCTAssertThrowsError(try OutboxRows.oldest(limit: 10, in: db)) { error in
                XCTAssertTrue("\(error)".hasPrefix("job_events.\(column) holds"), "\(error)")
            }
            try db.execute("DELETE FROM job_events")
        }
    }

    func testJobCountsRefuseAStateTheyDoNotKnow() throws {
        XCTAssertEqual(try JobCounts.byState(in: db), [.scheduled: 1])
        XCTAssertEqual(try JobCounts.byState(tenant: "someone else", in: db), [:])
        try db.execute("UPDATE jobs SET state = 'exploded' WHERE id = '0-a'")
        XCTAssertThrowsError(try JobCounts.byState(in: db)) { error in
            XCTAssertTrue("\(error)".contains("jobs.state holds \"exploded\""), "\(error)")
        }
    }

    /// A log entry's kind is one byte: a stored 257 is not kind 1, and the node does not start on it.
    func testARaftEntryOfAnUnknownKindStopsTheLoad() throws {
        let insert = try db.statement("INSERT INTO raft_entries (idx, term, kind, data) VALUES (?, 1, ?, x'')")
        try insert.run(Int64(1), Int64(0))
        XCTAssertEqual(try RaftStore.load(from: db).entries.map(\.index), [1])
        try insert.run(Int64(2), Int64(257))
        XCTAssertThrowsError(try RaftStore.load(from: db)) { error in
            XCTAssertTrue("\(error)".contains("raft_entries.kind 257 at index 2"), "\(error)")
        }
    }
}
