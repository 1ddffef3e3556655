import Foundation
import TockModel
import TockSQLite
import TockWire
import XCTest

@testable import TockShard

/// A run published again after JetStream lost its message: the new sequence replaces the lost one only while
/// the run is out and still holds it, and the scan reconciliation reads finds exactly the runs that are out.
extension JobStateMachineTests {
    func testARepublishReplacesTheLostSequenceOnlyWhileTheRunHoldsIt() throws {
        _ = try apply(.createJob(spec("j1"), createdAtNs: 100))
        _ = try apply(.markPublished([PublishedRun(jobID: "j1", run: 1, streamSequence: 7, publishedAtNs: 600)]))
        let again = PublishedRun(jobID: "j1", run: 1, streamSequence: 20, publishedAtNs: 900, replacesSequence: 7)
        XCTAssertEqual(try apply(.markPublished([again])), .updated(1))
        XCTAssertEqual(try job("j1")?.streamSequence, 20)
        XCTAssertEqual(try job("j1")?.publishedAtNs, 900)
        XCTAssertEqual(try job("j1")?.state, .published)
        XCTAssertEqual(try job("j1")?.attempts, 0)
        XCTAssertEqual(try apply(.markPublished([again])), .updated(0), "applied twice")
        let stale = PublishedRun(jobID: "j1", run: 1, streamSequence: 30, publishedAtNs: 950, replacesSequence: 7)
        XCTAssertEqual(try apply(.markPublished([stale])), .updated(0), "another republish of the same loss")
        XCTAssertEqual(try job("j1")?.streamSequence, 20)

        _ = try apply(.markDone([completion("j1", .succeeded, attempts: 1)], atNs: 1000))
        let late = PublishedRun(jobID: "j1", run: 1, streamSequence: 40, publishedAtNs: 1100, replacesSequence: 20)
        XCTAssertEqual(try apply(.markPublished([late])), .updated(0), "the run is done")
        XCTAssertEqual(try job("j1")?.state, .succeeded)
    }

    func testARepublishDoesNotPublishAScheduledRun() throws {
        _ = try apply(.createJob(spec("j1"), createdAtNs: 100))
        let again = PublishedRun(jobID: "j1", run: 1, streamSequence: 20, publishedAtNs: 900, replacesSequence: 7)
        XCTAssertEqual(try apply(.markPublished([again])), .updated(0))
        XCTAssertEqual(try job("j1")?.state, .scheduled)
    }

    func testTheScanReadsRunsOutLongerThanTheCutoffOldestFirstFromItsCursor() throws {
        for (index, id) in ["a", "b", "c", "d"].enumerated() {
            _ = try apply(.createJob(spec(id), createdAtNs: 100))
            _ = try apply(
                .markPublished([
                    PublishedRun(
                        jobID: id, run: 1, streamSequence: UInt64(index + 1),
                        publishedAtNs: 1000 - Int64(index) * 100)
                ]))
        }
        _ = try apply(.markDone([completion("b", .succeeded, attempts: 1)], atNs: 2000))
        let all = try PublishedRunScan.rows(recurring: false, beforeNs: 950, after: .init(), limit: 10, in: db)
        XCTAssertEqual(all.map(\.jobID), ["d", "c"], "oldest first; b is done, a too recent")
        XCTAssertEqual(all.first?.streamSequence, 4)
        XCTAssertEqual(all.first?.maxAttempts, 3)
        XCTAssertEqual(all.first?.priority, .high)
        let first = try PublishedRunScan.rows(recurring: false, beforeNs: 2000, after: .init(), limit: 2, in: db)
        let cursor = PublishedRunScan.Cursor(publishedAtNs: first[1].publishedAtNs, jobID: first[1].jobID, run: 1)
        let next = try PublishedRunScan.rows(recurring: false, beforeNs: 2000, after: cursor, limit: 2, in: db)
        XCTAssertEqual((first + next).map(\.jobID), ["d", "c", "a"])
        XCTAssertNotNil(try PublishedRunScan.current(all[0], in: db))
        _ = try apply(.cancelJob(jobID: "d", atNs: 3000))
        XCTAssertNil(try PublishedRunScan.current(all[0], in: db), "a cancelled run is not published again")
        let plan = try db.statement("EXPLAIN QUERY PLAN \(PublishedRunScan.oneTimeSQL)")
            .map(0, 0, "", 0, 10) { $0.text(3) }.joined(separator: " ")
        XCTAssertTrue(plan.contains("jobs_published"), plan)
    }
}

extension JobStateMachineTests {
    func testARecurringRunIsRepublishedInItsRunsRowWhileTheJobMovesOn() throws {
        var recurring = spec("r1")
        recurring.schedule = Schedule(cron: "@every 1s", overlap: .allow)
        _ = try apply(.createJob(recurring, createdAtNs: 100))
        _ = try apply(
            .markPublished([
                PublishedRun(
                    jobID: "r1", run: 1, streamSequence: 7, publishedAtNs: 600,
                    nextDueAtNs: 2000)
            ]))
        let out = try PublishedRunScan.rows(recurring: true, beforeNs: 10_000, after: .init(), limit: 10, in: db)
        XCTAssertEqual(out.map(\.key), ["r1/1"])
        XCTAssertEqual(out.first?.dueAtNs, 500)
        XCTAssertEqual(
            try PublishedRunScan.rows(recurring: false, beforeNs: 10_000, after: .init(), limit: 10, in: db), [])
        let again = PublishedRun(jobID: "r1", run: 1, streamSequence: 20, publishedAtNs: 900, replacesSequence: 7)
        XCTAssertEqual(try apply(.markPublished([again])), .updated(1))
        XCTAssertEqual(try job("r1")?.run, 2, "the schedule is not moved again")
        let seq = try db.statement("SELECT stream_seq FROM job_runs WHERE job_id = 'r1' AND run = 1").first {
            $0.int64(0)
        }
        XCTAssertEqual(seq, 20)
        XCTAssertNil(try PublishedRunScan.current(out[0], in: db), "it no longer holds the lost sequence")
    }
}
