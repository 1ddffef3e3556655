import Foundation
import TockCore
import TockModel
import TockSQLite
import TockWire
import XCTest

@testable import TockShard

/// Recurring jobs in the state machine: one row that moves from run to run, a `job_runs` row per run, and the
/// end of the schedule.
final class RecurringJobStateMachineTests: XCTestCase {
    var directory: URL!
    var db: Database!
    let machine = JobStateMachine(shard: 0)

    override func setUpWithError() throws {
        (directory, db) = try ShardTestDatabase.make("tock-rsm")
    }

    override func tearDownWithError() throws {
        db = nil
        ShardTestDatabase.remove(directory)
    }

    private func create(_ id: String = "r1", overlap: Schedule.Overlap = .allow) throws {
        let spec = JobSpec(
            id: id, priority: .normal,
            target: HTTPTarget(url: "http://h/p", method: "POST", headers: [], body: []),
            timeoutMs: 1000, maxAttempts: 3, idempotencyKey: "", dueAtNs: 1000,
            schedule: Schedule(cron: "@every 1s", overlap: overlap))
        _ = try apply(.createJob(spec, createdAtNs: 10))
    }

    private func apply(_ command: ShardCommand) throws -> ApplyResult {
        try db.transaction { try machine.apply(command, in: db) }
    }

    private func job(_ id: String = "r1") throws -> Job { try XCTUnwrap(try JobRows.find(id: id, in: db)) }

    private func runs(_ id: String = "r1") throws -> [JobRunRecord] {
        try JobRunRecord.page(of: try job(id), RunsPage(limit: RunsPage.maxLimit), in: db)
    }

    private func done(run: UInt32, _ outcome: Outcome, at ns: Int64) -> ShardCommand {
        .markDone(
            [
                Completion(
                    jobID: "r1", run: run, shard: 0, outcome: outcome,
                    httpStatus: outcome == .succeeded ? 200 : 500, attempts: 1, startedAtNs: ns - 5,
                    finishedAtNs: ns, executorID: "e", error: outcome == .succeeded ? "" : "HTTP 500")
            ],
            atNs: ns)
    }

    func testPublishingARunMovesTheJobToItsNextRunAndDoneRecordsTheRun() throws {
        try create()
        let published = try apply(
            .markPublished([
                PublishedRun(
                    jobID: "r1", run: 1, streamSequence: 7,
                    publishedAtNs: 1001, nextDueAtNs: 2000)
            ]))
        XCTAssertEqual(published, .rescheduled(changed: 1, next: [DueEntry(dueAtNs: 2000, jobID: "r1", run: 2)]))
        XCTAssertEqual(try job().state, .scheduled)
        XCTAssertEqual(try job().run, 2)
        XCTAssertEqual(try job().dueAtNs, 2000)
        XCTAssertEqual(try runs().map(\.state), ["published"])

        XCTAssertEqual(try apply(done(run: 1, .succeeded, at: 1500)), .updated(1))
        XCTAssertEqual(try apply(done(run: 1, .failed, at: 1600)), .updated(0), "a run's outcome is recorded once")
        XCTAssertEqual(try runs().map(\.state), ["succeeded"])
        XCTAssertEqual(try job().lastStatus, 200)
        XCTAssertEqual(try job().state, .scheduled, "the job goes on")

        // Publishing the same run again (a replayed entry) changes nothing.
        XCTAssertEqual(
            try apply(
                .markPublished([
                    PublishedRun(
                        jobID: "r1", run: 1, streamSequence: 7,
                        publishedAtNs: 1001, nextDueAtNs: 2000)
                ])), .updated(0))
        XCTAssertEqual(try job().run, 2)
    }

    func testACompletionBeforeItsPublishedCommitDoesNotEndTheJob() throws {
        try create()
        XCTAssertEqual(try apply(done(run: 1, .succeeded, at: 1002)), .updated(1))
        XCTAssertEqual(try job().state, .scheduled)
        _ = try apply(
            .markPublished([
                PublishedRun(
                    jobID: "r1", run: 1, streamSequence: 7, publishedAtNs: 1001,
                    nextDueAtNs: 2000)
            ]))
        XCTAssertEqual(try runs().map(\.state), ["succeeded"], "the earlier outcome stands")
        XCTAssertEqual(try job().run, 2)
    }

    func testTheLastRunEndsTheJobWithItsOutcome() throws {
        try create()
        _ = try apply(
            .markPublished([
                PublishedRun(
                    jobID: "r1", run: 1, streamSequence: 7, publishedAtNs: 1001,
                    nextDueAtNs: nil)
            ]))
        XCTAssertEqual(try job().state, .published)
        _ = try apply(done(run: 1, .failed, at: 1500))
        XCTAssertEqual(try job().state, .failed)
        XCTAssertEqual(try job().finishedAtNs, 1500)
    }

    func testASkippedRunIsRecordedAndTheScheduleMovesOn() throws {
        try create()
        let skipped = try apply(.skipRun(jobID: "r1", run: 1, nextDueAtNs: 3000, atNs: 2500, reason: "missed"))
        XCTAssertEqual(skipped, .rescheduled(changed: 1, next: [DueEntry(dueAtNs: 3000, jobID: "r1", run: 2)]))
        XCTAssertEqual(try runs().map(\.state), ["skipped"])
        XCTAssertEqual(try runs().first?.last_error, "missed")
        XCTAssertEqual(
            try apply(.skipRun(jobID: "r1", run: 1, nextDueAtNs: 3000, atNs: 2500, reason: "missed")),
            .updated(0), "skipping a run twice changes nothing")
        _ = try apply(.skipRun(jobID: "r1", run: 2, nextDueAtNs: nil, atNs: 3500, reason: "missed"))
        XCTAssertEqual(try job().state, .succeeded, "a schedule that ends on a skipped run has nothing left")
    }

    func testPauseAndResume() throws {
        try create()
        guard case .changed(let paused) = try apply(.pauseJob(jobID: "r1", atNs: 1100)) else { return XCTFail() }
        XCTAssertTrue(paused.paused)
        // A run published while pausing was in flight still moves on, but is not scheduled while paused.
        XCTAssertEqual(
            try apply(
                .markPublished([
                    PublishedRun(
                        jobID: "r1", run: 1, streamSequence: 7,
                        publishedAtNs: 1001, nextDueAtNs: 2000)
                ])), .updated(1))
        guard case .changed(let resumed) = try apply(.resumeJob(jobID: "r1", nextDueAtNs: 9000, atNs: 8500)) else {
            return XCTFail()
        }
        XCTAssertFalse(resumed.paused)
        XCTAssertEqual(resumed.dueAtNs, 9000)
        XCTAssertEqual(resumed.run, 2)

        _ = try apply(.cancelJob(jobID: "r1", atNs: 9100))
        guard case .conflict = try apply(.pauseJob(jobID: "r1", atNs: 9200)) else {
            return XCTFail("paused a cancelled job")
        }
    }

    func testTheLeaderPlansMissesOverlapsAndNextRuns() throws {
        let minute: Int64 = 60_000_000_000
        func recurring(_ misfire: Schedule.Misfire, _ overlap: Schedule.Overlap, due: Int64) -> Job {
            Job(
                id: "j", shard: 0, state: .scheduled, priority: .normal,
                target: HTTPTarget(url: "http://h", method: "POST", headers: [], body: []), timeoutMs: 1,
                maxAttempts: 1,
                idempotencyKey: "", run: 4, dueAtNs: due, createdAtNs: 0, updatedAtNs: 0, attempts: 0,
                webhookFormat: .tock, schedule: Schedule(cron: "* * * * *", overlap: overlap, misfire: misfire))
        }
        let now = 100 * minute + 5_000_000_000

        let onTime = RecurrencePlan([(recurring(.runOnce, .allow, due: 100 * minute), false)], nowNs: now)
        XCTAssertEqual(onTime.publish.map(\.next), [101 * minute], "the next minute after the due one")

        let late = RecurrencePlan([(recurring(.runOnce, .allow, due: 90 * minute), false)], nowNs: now)
        XCTAssertEqual(
            late.publish.map(\.next), [101 * minute], "missed runs collapse into this one; next is after now")

        let skipLate = RecurrencePlan([(recurring(.skip, .allow, due: 90 * minute), false)], nowNs: now)
        XCTAssertTrue(skipLate.publish.isEmpty)
        XCTAssertEqual(skipLate.skipped.map(\.next), [101 * minute])
        // 5 s late is on time by the default threshold, missed by a 2 s one (`--misfire-threshold 2s`).
        let shortThreshold = RecurrencePlan(
            [(recurring(.skip, .allow, due: 100 * minute), false)], nowNs: now,
            misfireThresholdNs: 2_000_000_000)
        XCTAssertEqual(shortThreshold.skipped.count, 1)
        XCTAssertEqual(
            RecurrencePlan([(recurring(.skip, .allow, due: 100 * minute), false)], nowNs: now).publish.count, 1)

        let overlapping = recurring(.runOnce, .skip, due: 100 * minute)
        XCTAssertEqual(RecurrencePlan([(overlapping, true)], nowNs: now).skipped.map(\.next), [101 * minute])
        XCTAssertEqual(RecurrencePlan([(overlapping, false)], nowNs: now).publish.count, 1)
        let waiting = recurring(.runOnce, .wait, due: 100 * minute)
        XCTAssertEqual(RecurrencePlan([(waiting, true)], nowNs: now).waiting.map(\.id), ["j"])
    }
}
