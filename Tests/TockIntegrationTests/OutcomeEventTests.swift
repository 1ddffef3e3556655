import Foundation
import Logging
import TockCore
import TockModel
import TockNATS
import TockSQLite
import TockTestSupport
import TockWire
import XCTest

@testable import TockShard

/// Outcome events end to end: a real shard publishes one event per terminal outcome to TOCK_EVENTS, which a
/// user's own consumer on `tock.events.>` reads as events.proto documents; and an event whose leader died between
/// its publish and its delete is published again by the next one and stored once.
final class OutcomeEventTests: XCTestCase {
    var tock: TockHarness?

    override func tearDown() async throws {
        await tock?.shutdown()
    }

    /// Reads events from a durable consumer of the caller's own, as Schemas/API.md, "Outcome events and callbacks",
    /// shows with the `nats` CLI.
    private func readEvents(_ nats: String, count: Int) async throws -> [(
        subject: String, messageID: String?,
        event: OutcomeEvent
    )] {
        let connection = try NATSConnection.connect(url: nats)
        defer { connection.close() }
        let js = try connection.jetStream()
        try js.ensureConsumer(
            stream: Subjects.eventsStream,
            ConsumerConfig(durable: "my-app", filterSubject: Subjects.eventsFilter))
        let subscription = try js.pullSubscribe(
            stream: Subjects.eventsStream, durable: "my-app",
            filter: Subjects.eventsFilter)
        defer { subscription.close() }
        var read: [(String, String?, OutcomeEvent)] = []
        _ = try await eventually(within: .seconds(20), "\(count) events; read \(read.count)") { () -> Bool? in
            for message in try await subscription.fetch(batch: count, expires: .milliseconds(200)) {
                read.append(
                    (
                        message.subject, message.header("Nats-Msg-Id"),
                        try OutcomeEvent(decoding: message.payload)
                    ))
                try message.ack()
            }
            return read.count >= count ? true : nil
        }
        return read
    }

    func testSucceededFailedAndCancelledJobsPublishTheirEvents() async throws {
        let tock = try await TockHarness.start()
        self.tock = tock
        let ok = try await tock.submit(
            #"""
            {"url": "\#(tock.sink.baseURL)/ok", "idempotency_key": "order-1", "priority": "high",
             "callback_url": "https://hooks.example/done"}
            """#)
        let okID = try XCTUnwrap(ok["id"]?.string)
        XCTAssertEqual(ok["callback_url"]?.string, "https://hooks.example/done", "the job view shows it")
        let bad = try await tock.submit(#"{"url": "\#(tock.sink.baseURL)/status/404", "max_attempts": 3}"#)
        let badID = try XCTUnwrap(bad["id"]?.string)
        let later = try await tock.submit(#"{"url": "\#(tock.sink.baseURL)/ok", "delay": "1h"}"#)
        let laterID = try XCTUnwrap(later["id"]?.string)
        _ = try await tock.waitForState(okID, "succeeded")
        _ = try await tock.waitForState(badID, "failed")
        let cancel = try await tock.request(.DELETE, "/v1/jobs/\(laterID)")
        XCTAssertEqual(cancel.status, 200)

        let events = try await readEvents(tock.nats.url, count: 3)
        let byJob = Dictionary(uniqueKeysWithValues: events.map { ($0.event.jobID, $0) })
        XCTAssertEqual(events.count, 3)

        let succeeded = try XCTUnwrap(byJob[okID])
        XCTAssertEqual(succeeded.subject, "tock.events.0.succeeded")
        XCTAssertEqual(succeeded.messageID, "\(okID)/1/succeeded")
        XCTAssertEqual(succeeded.event.state, .succeeded)
        XCTAssertEqual(succeeded.event.run, 1)
        XCTAssertEqual(succeeded.event.shard, 0)
        XCTAssertEqual(succeeded.event.attempts, 1)
        XCTAssertEqual(succeeded.event.lastHTTPStatus, 200)
        XCTAssertEqual(succeeded.event.error, "")
        XCTAssertEqual(succeeded.event.priority, .high)
        XCTAssertEqual(succeeded.event.idempotencyKey, "order-1")
        XCTAssertEqual(succeeded.event.callbackURL, "https://hooks.example/done")
        XCTAssertEqual(succeeded.event.tenant, "")
        XCTAssertFalse(succeeded.event.recurring)
        XCTAssertGreaterThan(succeeded.event.finishedAtNs, 0)

        let failed = try XCTUnwrap(byJob[badID])
        XCTAssertEqual(failed.subject, "tock.events.0.failed")
        XCTAssertEqual(failed.messageID, "\(badID)/1/failed")
        XCTAssertEqual(failed.event.attempts, 1, "a 404 is not retried")
        XCTAssertEqual(failed.event.lastHTTPStatus, 404)
        XCTAssertEqual(failed.event.error, "HTTP 404")
        XCTAssertEqual(failed.event.maxAttempts, 3)

        let cancelled = try XCTUnwrap(byJob[laterID])
        XCTAssertEqual(cancelled.subject, "tock.events.0.cancelled")
        XCTAssertEqual(cancelled.event.state, .cancelled)
        XCTAssertEqual(cancelled.event.attempts, 0)

        let node = try XCTUnwrap(tock.node)
        let metrics = try PrometheusText(parsing: node.metrics.registry.exposition())
        XCTAssertEqual(metrics.value("tock_shard_events_published_total", ["shard": "0"]), 3)
    }

    /// A leader that publishes an event and dies before the delete commits leaves the row; the next leader
    /// publishes it again under the same Nats-Msg-Id, JetStream keeps one copy, and the row goes.
    func testAnEventSurvivesALeaderThatDiesBetweenPublishAndDelete() async throws {
        let nats = try NATSServerProcess.start()
        defer { nats.stop() }
        let connection = try NATSConnection.connect(url: nats.url)
        defer { connection.close() }
        let js = try connection.jetStream()
        try JetStreamSetup.apply(QueueConfig(), to: js)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tock-outbox-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try DatabaseQueue(path: directory.appendingPathComponent("shard.sqlite").path)
        try database.syncWrite { try ShardSchema.migrate($0) }
        let machine = JobStateMachine(shard: 0)
        let log = AppliedLog(database: database, machine: machine)
        _ = try await log.propose(
            .createJob(
                JobSpec(
                    id: "j1", priority: .normal,
                    target: HTTPTarget(url: "http://h/", method: "POST", headers: [], body: []),
                    timeoutMs: 1000, maxAttempts: 1, idempotencyKey: "", dueAtNs: 1), createdAtNs: 1))
        _ = try await log.propose(
            .markDone(
                [
                    Completion(
                        jobID: "j1", run: 1, shard: 0, outcome: .succeeded, httpStatus: 204, attempts: 1,
                        startedAtNs: 2,
                        finishedAtNs: 3, executorID: "e", error: "")
                ], atNs: 4))
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let link = NATSLink(url: nats.url, name: "test-leader", logger: logger)
        func outbox() async throws -> Int { try await database.read { try OutboxRows.count(in: $0) } }

        log.failing = true
        let dying = OutcomePublisher(
            shard: 0, database: database, log: log, link: link, logger: logger,
            metrics: ShardMetrics(shard: 0))
        let relayedByTheDeadLeader = await dying.relayOnce()
        XCTAssertNil(relayedByTheDeadLeader, "its delete did not commit")
        let left = try await outbox()
        XCTAssertEqual(left, 1)
        XCTAssertEqual(try js.streamInfo(Subjects.eventsStream).messages, 1)

        log.failing = false
        let next = OutcomePublisher(
            shard: 0, database: database, log: log, link: link, logger: logger,
            metrics: ShardMetrics(shard: 0))
        let relayedByTheNextLeader = await next.relayOnce()
        XCTAssertEqual(relayedByTheNextLeader, 1)
        let leftAfter = try await outbox()
        XCTAssertEqual(leftAfter, 0)
        XCTAssertEqual(try js.streamInfo(Subjects.eventsStream).messages, 1, "the copy was dropped as a duplicate")
        let relayedWhenEmpty = await next.relayOnce()
        XCTAssertEqual(relayedWhenEmpty, 0)
        await link.close()
    }
}

/// A one-node log: applies each command to the database as a committed entry would, or fails like a leader that
/// died before the entry committed.
private final class AppliedLog: ReplicatedLog, @unchecked Sendable {
    private let database: DatabaseQueue
    private let machine: JobStateMachine
    // Set by the test between awaits only.
    var failing = false

    init(database: DatabaseQueue, machine: JobStateMachine) {
        self.database = database
        self.machine = machine
    }

    struct Died: Error {}

    func propose(_ command: ShardCommand) async throws -> ApplyResult {
        if failing { throw Died() }
        let machine = self.machine
        return try await database.write { try machine.applyOrReject(command, in: $0) }
    }
}
