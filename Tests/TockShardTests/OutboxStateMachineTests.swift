import Foundation
import TockModel
import TockSQLite
import TockWire
import XCTest

@testable import TockShard

/// The outcome outbox on a real SQLite file: the state machine writes one row per terminal outcome of a run, in
/// the outcome's transaction, applying a command twice writes it once, and `deleteEvents` removes it.
final class OutboxStateMachineTests: XCTestCase {
    var directory: URL!
    var db: Database!
    let machine = JobStateMachine(shard: 3)

    override func setUpWithError() throws {
        (directory, db) = try ShardTestDatabase.make("tock-outbox")
    }

    override func tearDownWithError() throws {
        db = nil
        ShardTestDatabase.remove(directory)
    }

    private func spec(_ id: String, schedule: Schedule? = nil) -> JobSpec {
        JobSpec(
            id: id, priority: .high, target: HTTPTarget(url: "http://h/p", method: "POST", headers: [], body: []),
            timeoutMs: 1000, maxAttempts: 4, idempotencyKey: "key-\(id)", dueAtNs: 500, schedule: schedule,
            tenant: "acme", callbackURL: "http://cb/ok", failureCallbackURL: "http://cb/failed")
    }

    @discardableResult
    private func apply(_ command: ShardCommand) throws -> ApplyResult {
        try db.transaction { try machine.applyOrReject(command, in: db) }
    }

    private func completion(_ id: String, run: UInt32 = 1, _ outcome: Outcome) -> Completion {
        Completion(
            jobID: id, run: run, shard: 3, outcome: outcome, httpStatus: outcome == .succeeded ? 200 : 503,
            attempts: 2, startedAtNs: 900, finishedAtNs: 950, executorID: "e",
            error: outcome == .succeeded ? "" : "HTTP 503")
    }

    private var outbox: [OutcomeEvent] { get throws { try OutboxRows.oldest(limit: 100, in: db) } }

    func testASucceededRunWritesOneEventWithEveryField() throws {
        try apply(.createJob(spec("j1"), createdAtNs: 100))
        XCTAssertEqual(try outbox, [], "no event before an outcome")
        try apply(.markDone([completion("j1", .succeeded)], atNs: 1000))
        XCTAssertEqual(
            try outbox,
            [
                OutcomeEvent(
                    jobID: "j1", run: 1, shard: 3, state: .succeeded, attempts: 2, lastHTTPStatus: 200, error: "",
                    finishedAtNs: 950, tenant: "acme", priority: .high, idempotencyKey: "key-j1",
                    callbackURL: "http://cb/ok", failureCallbackURL: "http://cb/failed", recurring: false,
                    maxAttempts: 4,
                    timeoutMs: 1000)
            ])
    }

    func testApplyingTheOutcomeAgainWritesNoSecondEventEvenAfterTheFirstWasDeleted() throws {
        try apply(.createJob(spec("j1"), createdAtNs: 100))
        try apply(.markDone([completion("j1", .gaveUp)], atNs: 1000))
        try apply(.markDone([completion("j1", .gaveUp)], atNs: 1001))
        let events = try outbox
        XCTAssertEqual(events.map(\.key), [OutcomeEvent.Key(jobID: "j1", run: 1, state: .failed)])
        XCTAssertEqual(events.first?.error, "HTTP 503")
        XCTAssertEqual(events.first?.lastHTTPStatus, 503)

        XCTAssertEqual(try apply(.deleteEvents(events.map(\.key))), .updated(1))
        XCTAssertEqual(try apply(.deleteEvents(events.map(\.key))), .updated(0), "deleting twice is a no-op")
        try apply(.markDone([completion("j1", .succeeded)], atNs: 1002))
        XCTAssertEqual(try outbox, [], "the run had its outcome already")
    }

    func testCancellingWritesACancelledEventAndALateCompletionNone() throws {
        try apply(.createJob(spec("j1"), createdAtNs: 100))
        try apply(.cancelJob(jobID: "j1", atNs: 700))
        try apply(.cancelJob(jobID: "j1", atNs: 800))
        try apply(.markDone([completion("j1", .succeeded)], atNs: 1000))
        let events = try outbox
        XCTAssertEqual(events.map(\.key), [OutcomeEvent.Key(jobID: "j1", run: 1, state: .cancelled)])
        XCTAssertEqual(events.first?.finishedAtNs, 700)
        XCTAssertEqual(events.first?.attempts, 0)
    }

    func testEachRunOfARecurringJobHasItsEventInOrder() throws {
        try apply(.createJob(spec("r1", schedule: Schedule(cron: "@every 1s")), createdAtNs: 100))
        try apply(
            .markPublished([
                PublishedRun(
                    jobID: "r1", run: 1, streamSequence: 1, publishedAtNs: 500,
                    nextDueAtNs: 1500)
            ]))
        try apply(.markDone([completion("r1", run: 1, .succeeded)], atNs: 1000))
        try apply(
            .markPublished([
                PublishedRun(
                    jobID: "r1", run: 2, streamSequence: 2, publishedAtNs: 1500,
                    nextDueAtNs: 2500)
            ]))
        try apply(.markDone([completion("r1", run: 2, .failed)], atNs: 2000))
        try apply(.markDone([completion("r1", run: 2, .failed)], atNs: 2001))
        let events = try outbox
        XCTAssertEqual(
            events.map(\.key),
            [
                OutcomeEvent.Key(jobID: "r1", run: 1, state: .succeeded),
                OutcomeEvent.Key(jobID: "r1", run: 2, state: .failed),
            ])
        XCTAssertEqual(events.map(\.recurring), [true, true])
    }

    func testDeleteEventsTravelsThroughTheLogEncoding() throws {
        let command = ShardCommand.deleteEvents([OutcomeEvent.Key(jobID: "j1", run: 7, state: .cancelled)])
        XCTAssertEqual(try ShardCommand(decoding: command.encoded()), command)
    }

    func testAnEventTravelsThroughItsEncoding() throws {
        let event = OutcomeEvent(
            jobID: "j1", run: 2, shard: 3, state: .failed, attempts: 5, lastHTTPStatus: 500, error: "HTTP 500",
            finishedAtNs: 123, tenant: "t", priority: .low, idempotencyKey: "k", callbackURL: "http://a",
            failureCallbackURL: "http://b", recurring: true, maxAttempts: 5, timeoutMs: 30_000)
        XCTAssertEqual(try OutcomeEvent(decoding: event.encoded()), event)
        XCTAssertThrowsError(try OutcomeEvent(decoding: []), "no state")
    }
}

extension OutboxStateMachineTests {
    func testARecurringJobCancelledAtItsLastRunStillOutHasOneEventForIt() throws {
        let end = Int64(1_000)
        try apply(.createJob(spec("r1", schedule: Schedule(cron: "@every 1s", endAtNs: end)), createdAtNs: 100))
        // Its only run is published and the schedule ends: the job is published with run 1 out.
        try apply(
            .markPublished([
                PublishedRun(
                    jobID: "r1", run: 1, streamSequence: 1, publishedAtNs: 500,
                    nextDueAtNs: nil)
            ]))
        try apply(.cancelJob(jobID: "r1", atNs: 600))
        try apply(.markDone([completion("r1", run: 1, .succeeded)], atNs: 1000))
        XCTAssertEqual(try outbox.map(\.key), [OutcomeEvent.Key(jobID: "r1", run: 1, state: .cancelled)])
    }
}
