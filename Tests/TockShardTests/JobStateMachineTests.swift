import Foundation
import TockModel
import TockSQLite
import TockWire
import XCTest

@testable import TockShard

/// The state machine on a real SQLite file: what each command does, and that applying one twice changes nothing.
final class JobStateMachineTests: XCTestCase {
    var directory: URL!
    var db: Database!
    let machine = JobStateMachine(shard: 0)

    override func setUpWithError() throws {
        (directory, db) = try ShardTestDatabase.make("tock-sm")
    }

    override func tearDownWithError() throws {
        db = nil
        ShardTestDatabase.remove(directory)
    }

    func spec(_ id: String, key: String = "") -> JobSpec {
        JobSpec(
            id: id, priority: .high,
            target: HTTPTarget(
                url: "http://h/p", method: "POST", headers: [Header(name: "A", value: "b")], body: [1, 2]),
            timeoutMs: 1000, maxAttempts: 3, idempotencyKey: key, dueAtNs: 500)
    }

    func apply(_ command: ShardCommand) throws -> ApplyResult {
        try db.transaction { try machine.apply(command, in: db) }
    }

    func job(_ id: String) throws -> Job? { try JobRows.find(id: id, in: db) }

    func completion(_ id: String, _ outcome: Outcome, attempts: UInt32) -> Completion {
        Completion(
            jobID: id, run: 1, shard: 0, outcome: outcome, httpStatus: outcome == .succeeded ? 200 : 500,
            attempts: attempts, startedAtNs: 900, finishedAtNs: 950, executorID: "e", error: "")
    }

    func testCreateStoresTheSpecAsScheduled() throws {
        guard case .created(let created) = try apply(.createJob(spec("j1"), createdAtNs: 100)) else {
            return XCTFail("not created")
        }
        XCTAssertEqual(created.state, .scheduled)
        XCTAssertEqual(created.target.headers, [Header(name: "A", value: "b")])
        XCTAssertEqual(created.target.body, [1, 2])
        XCTAssertEqual(created.createdAtNs, 100)
        XCTAssertEqual(created.dueAtNs, 500)
        XCTAssertEqual(created.run, 1)
    }

    func testCreateKeepsTheWebhookFormatForTheRunAndShowsItOnlyWhenNotTheDefault() throws {
        var scheduledDB = spec("j1")
        scheduledDB.webhookFormat = .scheduledDB
        guard case .created(let created) = try apply(.createJob(scheduledDB, createdAtNs: 100)),
            case .created(let plain) = try apply(.createJob(spec("j2"), createdAtNs: 100))
        else { return XCTFail("not created") }
        XCTAssertEqual(created.webhookFormat, .scheduledDB)
        XCTAssertEqual(created.jobRun(publishedAtNs: 600).webhookFormat, .scheduledDB)
        XCTAssertEqual(JobView(created).webhook_format, "scheduled-db")
        XCTAssertEqual(plain.webhookFormat, .tock)
        XCTAssertEqual(plain.jobRun(publishedAtNs: 600).webhookFormat, .tock)
        XCTAssertNil(JobView(plain).webhook_format)
    }

    func testASecondCreateWithTheSameKeyReturnsTheFirstJob() throws {
        _ = try apply(.createJob(spec("j1", key: "k"), createdAtNs: 100))
        guard case .existing(let existing) = try apply(.createJob(spec("j2", key: "k"), createdAtNs: 200)) else {
            return XCTFail("not existing")
        }
        XCTAssertEqual(existing.id, "j1")
        XCTAssertNil(try job("j2"))
    }

    func testPublishedThenDoneAndDoneTwiceIsANoOp() throws {
        _ = try apply(.createJob(spec("j1"), createdAtNs: 100))
        XCTAssertEqual(
            try apply(.markPublished([PublishedRun(jobID: "j1", run: 1, streamSequence: 7, publishedAtNs: 600)])),
            .updated(1))
        XCTAssertEqual(try job("j1")?.state, .published)
        XCTAssertEqual(try job("j1")?.streamSequence, 7)

        XCTAssertEqual(try apply(.markDone([completion("j1", .succeeded, attempts: 2)], atNs: 1000)), .updated(1))
        let done = try XCTUnwrap(try job("j1"))
        XCTAssertEqual(done.state, .succeeded)
        XCTAssertEqual(done.attempts, 2)
        XCTAssertEqual(done.lastStatus, 200)

        XCTAssertEqual(try apply(.markDone([completion("j1", .gaveUp, attempts: 9)], atNs: 2000)), .updated(0))
        XCTAssertEqual(try job("j1"), done)
    }

    func testCompletionBeforePublishedCommitStillFinishesTheRun() throws {
        _ = try apply(.createJob(spec("j1"), createdAtNs: 100))
        _ = try apply(.markDone([completion("j1", .gaveUp, attempts: 3)], atNs: 1000))
        XCTAssertEqual(try job("j1")?.state, .failed)
        XCTAssertEqual(
            try apply(.markPublished([PublishedRun(jobID: "j1", run: 1, streamSequence: 7, publishedAtNs: 600)])),
            .updated(0))
        XCTAssertEqual(try job("j1")?.state, .failed)
    }

    func testCancelRules() throws {
        XCTAssertEqual(try apply(.cancelJob(jobID: "nope", atNs: 1)), .notFound)
        _ = try apply(.createJob(spec("j1"), createdAtNs: 100))
        guard case .cancelled(let cancelled) = try apply(.cancelJob(jobID: "j1", atNs: 300)) else {
            return XCTFail("not cancelled")
        }
        XCTAssertEqual(cancelled.cancelledAtNs, 300)
        // A late completion of a cancelled run is recorded, and the job stays cancelled.
        _ = try apply(.markDone([completion("j1", .succeeded, attempts: 1)], atNs: 1000))
        XCTAssertEqual(try job("j1")?.state, .cancelled)
        XCTAssertEqual(try job("j1")?.attempts, 1)

        _ = try apply(.createJob(spec("j2"), createdAtNs: 100))
        _ = try apply(.markDone([completion("j2", .succeeded, attempts: 1)], atNs: 1000))
        guard case .conflict = try apply(.cancelJob(jobID: "j2", atNs: 1100)) else { return XCTFail("not a conflict") }
    }
}
