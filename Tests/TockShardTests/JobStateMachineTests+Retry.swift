import Foundation
import TockCore
import TockModel
import TockSQLite
import TockWire
import XCTest

@testable import TockShard

/// `retryJob` on a real SQLite file: a finished one-time job runs again as a new run, applying the command twice
/// changes nothing, the runs history keeps the earlier run, and jobs still scheduled or published, or recurring,
/// are refused.
final class JobStateMachineRetryTests: XCTestCase {
    var directory: URL!
    var db: Database!
    let machine = JobStateMachine(shard: 0)

    override func setUpWithError() throws {
        (directory, db) = try ShardTestDatabase.make("tock-sm-retry")
    }

    override func tearDownWithError() throws {
        db = nil
        ShardTestDatabase.remove(directory)
    }

    func spec(_ id: String, schedule: Schedule? = nil) -> JobSpec {
        JobSpec(
            id: id, priority: .high, target: HTTPTarget(url: "http://h/p", method: "POST", headers: [], body: []),
            timeoutMs: 1000, maxAttempts: 3, idempotencyKey: "", dueAtNs: 500, schedule: schedule)
    }

    func apply(_ command: ShardCommand) throws -> ApplyResult {
        try db.transaction { try machine.apply(command, in: db) }
    }

    func job(_ id: String) throws -> Job? { try JobRows.find(id: id, in: db) }

    /// Created, published and reported done with `outcome` after 3 attempts.
    func finished(_ id: String, _ outcome: Outcome, run: UInt32 = 1) throws {
        if run == 1 { _ = try apply(.createJob(spec(id), createdAtNs: 100)) }
        _ = try apply(.markPublished([PublishedRun(jobID: id, run: run, streamSequence: 7, publishedAtNs: 600)]))
        _ = try apply(
            .markDone(
                [
                    Completion(
                        jobID: id, run: run, shard: 0, outcome: outcome, httpStatus: outcome == .succeeded ? 200 : 500,
                        attempts: 3, startedAtNs: 900, finishedAtNs: 950, executorID: "e",
                        error: outcome == .succeeded ? "" : "HTTP 500")
                ], atNs: 1000))
    }

    func retry(_ id: String, run: UInt32 = 1, at ns: Int64 = 2000) throws -> ApplyResult {
        try apply(.retryJob([RunKey(jobID: id, run: run)], atNs: ns))
    }

    func testAFailedJobRunsAgainAsANewRunDueNowWithFreshAttempts() throws {
        try finished("j1", .failed)
        let result = try retry("j1")
        guard case .batch(let results) = result, case .changed(let retried)? = results.first else {
            return XCTFail("not retried: \(result)")
        }
        XCTAssertEqual(retried.state, .scheduled)
        XCTAssertEqual(retried.run, 2)
        XCTAssertEqual(retried.dueAtNs, 2000)
        XCTAssertEqual(retried.updatedAtNs, 2000)
        XCTAssertEqual(retried.attempts, 0)
        XCTAssertNil(retried.lastStatus)
        XCTAssertNil(retried.lastError)
        XCTAssertNil(retried.executorID)
        XCTAssertNil(retried.publishedAtNs)
        XCTAssertNil(retried.streamSequence)
        XCTAssertNil(retried.finishedAtNs)
        // The due-timer learns of the new run from the result.
        XCTAssertEqual(result.newlyDue, [DueEntry(dueAtNs: 2000, jobID: "j1", run: 2, lane: DueLane(priority: .high))])
        // The new run is published and completed like any run.
        XCTAssertEqual(
            try apply(
                .markPublished([
                    PublishedRun(
                        jobID: "j1", run: 2, streamSequence: 9,
                        publishedAtNs: 2100)
                ])), .updated(1))
        XCTAssertEqual(try job("j1")?.state, .published)
    }

    func testApplyingTheSameRetryTwiceChangesNothing() throws {
        try finished("j1", .failed)
        _ = try retry("j1", at: 2000)
        let before = try job("j1")
        let again = try retry("j1", at: 3000)
        XCTAssertEqual(again, .batch([.existing(try XCTUnwrap(before))]))
        XCTAssertEqual(again.newlyDue, [])
        XCTAssertEqual(try job("j1"), before)
        XCTAssertEqual(try db.statement("SELECT COUNT(*) FROM job_runs WHERE job_id = 'j1'").first { $0.int(0) }, 1)
    }

    /// Two retries that read the job at once both name run 1: the one applied second is a no-op, even after the
    /// retried run failed again.
    func testARetryRacingAnotherRetryOfTheSameRunIsANoOp() throws {
        try finished("j1", .failed)
        _ = try retry("j1", at: 2000)
        try finished("j1", .failed, run: 2)
        XCTAssertEqual(try retry("j1", run: 1, at: 3000), .batch([.existing(try XCTUnwrap(try job("j1")))]))
        XCTAssertEqual(try job("j1")?.run, 2)
        XCTAssertEqual(try job("j1")?.state, .failed)
    }

    func testTheRunsHistoryKeepsTheEarlierRunAndMarksTheRetry() throws {
        try finished("j1", .failed)
        _ = try retry("j1")
        try finished("j1", .succeeded, run: 2)
        let runs = try JobRunRecord.page(of: try XCTUnwrap(try job("j1")), RunsPage(), in: db)
        XCTAssertEqual(runs.map(\.run), [1, 2])
        XCTAssertEqual(runs.map(\.state), ["failed", "succeeded"])
        XCTAssertEqual(runs[0].attempts, 3)
        XCTAssertEqual(runs[0].last_status, 500)
        XCTAssertEqual(runs[0].last_error, "HTTP 500")
        XCTAssertNil(runs[0].retry_of)
        XCTAssertEqual(runs[1].retry_of, 1)
        XCTAssertEqual(runs[1].due_at, RFC3339.format(ns: 2000))
        // Pages: one run at a time, and after the last none.
        let job = try XCTUnwrap(try job("j1"))
        XCTAssertEqual(try JobRunRecord.page(of: job, RunsPage(afterRun: 0, limit: 1), in: db).map(\.run), [1])
        XCTAssertEqual(try JobRunRecord.page(of: job, RunsPage(afterRun: 1, limit: 1), in: db).map(\.run), [2])
        XCTAssertEqual(try JobRunRecord.page(of: job, RunsPage(afterRun: 2), in: db), [])
    }

    func testSucceededAndCancelledJobsAreRetriedToo() throws {
        try finished("ok", .succeeded)
        _ = try apply(.createJob(spec("gone"), createdAtNs: 100))
        _ = try apply(.cancelJob(jobID: "gone", atNs: 300))
        let result = try apply(.retryJob([RunKey(jobID: "ok", run: 1), RunKey(jobID: "gone", run: 1)], atNs: 2000))
        guard case .batch(let results) = result, results.count == 2 else { return XCTFail("\(result)") }
        for (id, result) in zip(["ok", "gone"], results) {
            guard case .changed(let job) = result else { return XCTFail("\(id): \(result)") }
            XCTAssertEqual(job.state, .scheduled, id)
            XCTAssertNil(job.cancelledAtNs, id)
        }
        // A run cancelled before it was published ends, in the history, when it was cancelled.
        let gone = try JobRunRecord.page(of: try XCTUnwrap(try job("gone")), RunsPage(), in: db)
        XCTAssertEqual(gone.first?.state, "cancelled")
        XCTAssertEqual(gone.first?.finished_at, RFC3339.format(ns: 300))
    }

    func testJobsStillToRunRecurringJobsAndUnknownJobsAreRefused() throws {
        _ = try apply(.createJob(spec("scheduled"), createdAtNs: 100))
        _ = try apply(.createJob(spec("published"), createdAtNs: 100))
        _ = try apply(.markPublished([PublishedRun(jobID: "published", run: 1, streamSequence: 7, publishedAtNs: 600)]))
        _ = try apply(.createJob(spec("recurring", schedule: Schedule(cron: "@every 1s")), createdAtNs: 100))
        for id in ["scheduled", "published", "recurring"] {
            let before = try XCTUnwrap(try job(id))
            XCTAssertEqual(try retry(id), .batch([.conflict(before)]), id)
            XCTAssertEqual(try job(id), before, id)
        }
        XCTAssertEqual(try retry("nope"), .batch([.notFound]))
    }

    /// A job cancelled while its run was out, then retried: the old run's late completion names run 1 and changes
    /// nothing, and its history row (finished) is not among the runs reconciliation checks.
    func testALateCompletionOfTheRetriedRunChangesNothing() throws {
        _ = try apply(.createJob(spec("j1"), createdAtNs: 100))
        _ = try apply(.markPublished([PublishedRun(jobID: "j1", run: 1, streamSequence: 7, publishedAtNs: 600)]))
        _ = try apply(.cancelJob(jobID: "j1", atNs: 700))
        _ = try retry("j1")
        let late = Completion(
            jobID: "j1", run: 1, shard: 0, outcome: .succeeded, httpStatus: 200, attempts: 1,
            startedAtNs: 900, finishedAtNs: 950, executorID: "e", error: "")
        XCTAssertEqual(try apply(.markDone([late], atNs: 3000)), .updated(0))
        XCTAssertEqual(try job("j1")?.state, .scheduled)
        XCTAssertEqual(try job("j1")?.attempts, 0)
        for recurring in [true, false] {
            XCTAssertEqual(
                try PublishedRunScan.rows(
                    recurring: recurring, beforeNs: .max, after: .init(), limit: 10,
                    in: db), [])
        }
    }
}
