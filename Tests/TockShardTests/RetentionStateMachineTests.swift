import Foundation
import TockCore
import TockModel
import TockSQLite
import TockWire
import XCTest

@testable import TockShard

/// Retention's purge in the state machine, on a real SQLite file: it deletes only jobs finished before the
/// command's cutoff with no run out (and their runs), and finished runs before it; everything else stays, applying
/// it again deletes nothing more, and it deletes no more than the ids it names.
final class RetentionStateMachineTests: XCTestCase {
    var directory: URL!
    var db: Database!
    let machine = JobStateMachine(shard: 0)

    override func setUpWithError() throws {
        (directory, db) = try ShardTestDatabase.make("tock-retention")
    }

    override func tearDownWithError() throws {
        db = nil
        ShardTestDatabase.remove(directory)
    }

    private func apply(_ command: ShardCommand) throws -> ApplyResult {
        try db.transaction { try machine.apply(command, in: db) }
    }

    private func spec(_ id: String, key: String = "", schedule: Schedule? = nil) -> JobSpec {
        JobSpec(
            id: id, priority: .normal, target: HTTPTarget(url: "http://h/p", method: "POST", headers: [], body: []),
            timeoutMs: 1000, maxAttempts: 1, idempotencyKey: key, dueAtNs: 500, schedule: schedule)
    }

    private func create(_ id: String, key: String = "", at ns: Int64 = 100) throws {
        guard case .created = try apply(.createJob(spec(id, key: key), createdAtNs: ns)) else {
            return XCTFail("\(id) not created")
        }
    }

    private func createRecurring(_ id: String) throws {
        guard case .created = try apply(.createJob(spec(id, schedule: Schedule(cron: "@every 1s")), createdAtNs: 100))
        else { return XCTFail("\(id) not created") }
    }

    private func publish(_ id: String, run: UInt32 = 1, at ns: Int64, next: Int64? = nil) throws {
        _ = try apply(
            .markPublished([
                PublishedRun(
                    jobID: id, run: run, streamSequence: UInt64(ns), publishedAtNs: ns,
                    nextDueAtNs: next)
            ]))
    }

    private func done(_ id: String, run: UInt32 = 1, _ outcome: Outcome = .succeeded, at ns: Int64) throws {
        _ = try apply(
            .markDone(
                [
                    Completion(
                        jobID: id, run: run, shard: 0, outcome: outcome, httpStatus: 200,
                        attempts: 1, startedAtNs: ns - 1, finishedAtNs: ns, executorID: "e",
                        error: "")
                ], atNs: ns))
    }

    private func purge(_ cutoffNs: Int64, jobs: [String] = [], runs: [RunKey] = []) throws -> ApplyResult {
        try apply(.purgeFinished(cutoffNs: cutoffNs, jobIDs: jobs, runs: runs))
    }

    private func ids() throws -> [String] {
        try db.statement("SELECT id FROM jobs ORDER BY id").map { $0.text(0) }
    }

    private func runs(_ id: String) throws -> [UInt32] {
        try db.statement("SELECT run FROM job_runs WHERE job_id = ? ORDER BY run").map(id) {
            UInt32(clamping: $0.int64(0))
        }
    }

    func testPurgeDeletesOnlyJobsFinishedBeforeTheCutoff() throws {
        for id in ["succeeded", "failed", "cancelled", "scheduled", "published", "late"] { try create(id) }
        try publish("succeeded", at: 600)
        try done("succeeded", at: 1000)
        try publish("failed", at: 600)
        try done("failed", .failed, at: 1100)
        _ = try apply(.cancelJob(jobID: "cancelled", atNs: 1200))
        try publish("published", at: 600)
        try publish("late", at: 600)
        try done("late", at: 2000)

        let all = try ids()
        XCTAssertEqual(try purge(2000, jobs: all), .purged(jobs: 3, runs: 0))
        XCTAssertEqual(try ids(), ["late", "published", "scheduled"], "finished at the cutoff is not before it")
    }

    func testAPurgeAppliedAgainDeletesNothingMoreAndFreesTheKey() throws {
        try create("j1", key: "k")
        try publish("j1", at: 600)
        try done("j1", at: 1000)
        XCTAssertEqual(try purge(5000, jobs: ["j1", "nonexistent"]), .purged(jobs: 1, runs: 0))
        XCTAssertEqual(try purge(5000, jobs: ["j1", "nonexistent"]), .purged(jobs: 0, runs: 0))
        XCTAssertNil(try JobRows.find(idempotencyKey: "k", tenant: "", in: db))
        // Keys kept forever (no idempotency retention) still end with their job.
        guard case .created(let again) = try apply(.createJob(spec("j2", key: "k"), createdAtNs: 6000)) else {
            return XCTFail("the key was not free")
        }
        XCTAssertEqual(again.id, "j2")
    }

    func testAPurgeDeletesOnlyTheJobsItNames() throws {
        for id in ["a", "b", "c"] {
            try create(id)
            _ = try apply(.cancelJob(jobID: id, atNs: 200))
        }
        XCTAssertEqual(try purge(5000, jobs: ["b"]), .purged(jobs: 1, runs: 0))
        XCTAssertEqual(try ids(), ["a", "c"])
    }

    func testACancelledJobWhoseRunIsOutStaysUntilTheRunComesBack() throws {
        try create("j1")
        try publish("j1", at: 600)
        _ = try apply(.cancelJob(jobID: "j1", atNs: 700))
        XCTAssertEqual(try purge(5000, jobs: ["j1"]), .purged(jobs: 0, runs: 0), "its run is still out")
        XCTAssertEqual(try RetentionScan.jobs(before: 5000, limit: 10, in: db), [])

        try done("j1", at: 3000)
        XCTAssertEqual(try JobRows.find(id: "j1", in: db)?.state, .cancelled)
        XCTAssertEqual(
            try purge(2000, jobs: ["j1"]), .purged(jobs: 0, runs: 0),
            "the completion is the job's last change: its age counts from there")
        XCTAssertEqual(try purge(5000, jobs: ["j1"]), .purged(jobs: 1, runs: 0))
    }

    func testFinishedRunsOfALiveRecurringJobArePurgedAndTheJobStays() throws {
        try createRecurring("r1")
        try publish("r1", run: 1, at: 1000, next: 2000)
        try done("r1", run: 1, at: 1500)
        try publish("r1", run: 2, at: 2000, next: 3000)
        try done("r1", run: 2, .failed, at: 2500)
        try publish("r1", run: 3, at: 3000, next: 4000)
        _ = try apply(.skipRun(jobID: "r1", run: 4, nextDueAtNs: 5000, atNs: 4100, reason: "missed"))
        XCTAssertEqual(try runs("r1"), [1, 2, 3, 4])

        XCTAssertEqual(
            try RetentionScan.runs(before: 5000, limit: 10, in: db),
            [RunKey(jobID: "r1", run: 1), RunKey(jobID: "r1", run: 2), RunKey(jobID: "r1", run: 4)],
            "oldest finish first; run 3 is out")
        let keys = (1...4).map { RunKey(jobID: "r1", run: $0) }
        XCTAssertEqual(try purge(2600, jobs: ["r1"], runs: keys), .purged(jobs: 0, runs: 2))
        XCTAssertEqual(try runs("r1"), [3, 4])
        XCTAssertEqual(try JobRows.find(id: "r1", in: db)?.state, .scheduled)
        XCTAssertEqual(try purge(2600, jobs: ["r1"], runs: keys), .purged(jobs: 0, runs: 0))
    }

    func testAFinishedRecurringJobGoesWithItsRunsOnceNoneIsOut() throws {
        try createRecurring("r1")
        try publish("r1", run: 1, at: 1000, next: 2000)
        try done("r1", run: 1, at: 1500)
        try publish("r1", run: 2, at: 2000, next: 3000)
        _ = try apply(.cancelJob(jobID: "r1", atNs: 2100))
        XCTAssertEqual(try purge(9000, jobs: ["r1"]), .purged(jobs: 0, runs: 0), "run 2 is out")

        try done("r1", run: 2, at: 2500)
        XCTAssertEqual(
            try RetentionScan.jobs(before: 9000, limit: 10, in: db),
            [RetentionScan.Candidate(jobID: "r1", runs: 2)])
        XCTAssertEqual(try purge(9000, jobs: ["r1"]), .purged(jobs: 1, runs: 2))
        XCTAssertEqual(try ids(), [])
        XCTAssertEqual(try runs("r1"), [])
    }

    func testTheJobScanReadsTheLongestFinishedFirstAndStopsAtItsLimit() throws {
        for (index, id) in ["c", "a", "b", "d"].enumerated() {
            try create(id)
            _ = try apply(.cancelJob(jobID: id, atNs: 1000 + Int64(index)))
        }
        try create("live")
        XCTAssertEqual(try RetentionScan.jobs(before: 1003, limit: 2, in: db).map(\.jobID), ["c", "a"])
        XCTAssertEqual(try RetentionScan.jobs(before: 1003, limit: 10, in: db).map(\.jobID), ["c", "a", "b"])
        XCTAssertEqual(try RetentionScan.runs(before: .max, limit: 10, in: db), [])
    }

    func testTheScansUseTheirIndexes() throws {
        for sql in [RetentionScan.jobsSQL, RetentionScan.runsSQL] {
            let plan = try db.statement("EXPLAIN QUERY PLAN \(sql)").map(Int64(0), Int64(1)) { $0.text(3) }
            XCTAssertFalse(
                plan.contains { $0.contains("USE TEMP B-TREE") }, "sorts instead of reading in order: \(plan)")
        }
    }
}
