import Foundation
import Synchronization
import TockCore
import TockModel
import TockNATS
import TockShard
import TockTestSupport
import TockWire
import XCTest

@testable import TockExecutor

/// Jobs whose target is a NATS subject, on a real shard, executor and nats-server: the message reaches its subject
/// at its time, stored once in the stream that captures it (a retry is dropped by its `Nats-Msg-Id`), or published
/// plainly when no stream does; what a job may not publish is refused at submit.
final class NATSTargetTests: XCTestCase {
    var tock: TockHarness!

    override func tearDown() async throws {
        await tock?.shutdown()
    }

    func testAMessageForACapturedSubjectIsStoredOnceAtItsTime() async throws {
        tock = try await TockHarness.start()
        let connection = try NATSConnection.connect(url: tock.nats.url)
        defer { connection.close() }
        let js = try connection.jetStream()
        _ = try js.ensureStream(StreamConfig(name: "ORDERS", subjects: ["orders.>"], storage: .memory))

        let created = try await tock.submit(
            #"""
            {"nats": {"subject": "orders.expire", "headers": {"X-Order": "42"}, "body": {"order": 42}},
             "delay": "1500ms"}
            """#)
        XCTAssertEqual(created.status, 201, "\(created.json)")
        let id = try XCTUnwrap(created["id"]?.string)
        XCTAssertEqual(created["destination"]?.string, "nats")
        XCTAssertEqual(created["nats"]?["subject"]?.string, "orders.expire")
        let dueAt = try XCTUnwrap(created["run_at"]?.string.flatMap(RFC3339.parseNs))
        XCTAssertEqual(try js.streamInfo("ORDERS").messages, 0, "published before its time")

        let job = try await tock.waitForState(id, "succeeded")
        let finishedAt = try XCTUnwrap(job["finished_at"]?.string.flatMap(RFC3339.parseNs))
        XCTAssertGreaterThanOrEqual(finishedAt, dueAt)
        XCTAssertEqual(job["attempts"]?.int, 1)
        XCTAssertNil(job["last_status"]?.int, "no HTTP answer")
        let stream = try js.streamInfo("ORDERS")
        XCTAssertEqual(stream.messages, 1)
        let stored = try await js.storedMessage(stream: "ORDERS", sequence: stream.lastSequence)
        XCTAssertEqual(stored?.subject, "orders.expire")
        XCTAssertEqual(stored?.messageID, "\(id)/1")
        XCTAssertEqual(stored.map { String(decoding: $0.payload, as: UTF8.self) }, #"{"order":42}"#)
        XCTAssertTrue(tock.sink.requests(forJob: id).isEmpty, "no webhook was called")
    }

    func testAMessageForASubjectNoStreamCapturesIsPublishedPlainly() async throws {
        tock = try await TockHarness.start()
        let subscriber = try RawNATSClient(port: tock.nats.port)
        try subscriber.subscribe("alerts.>", id: 1)
        try subscriber.flush()

        let created = try await tock.submit(#"{"nats": {"subject": "alerts.fire", "body": "smoke"}}"#)
        let id = try XCTUnwrap(created["id"]?.string)
        let message = try subscriber.nextMessage()
        XCTAssertEqual(message.subject, "alerts.fire")
        XCTAssertEqual(message.payload, Array("smoke".utf8))
        XCTAssertEqual(message.header("Tock-Job-Id"), id)
        XCTAssertEqual(message.header("Tock-Run"), "1")
        XCTAssertEqual(message.header("Tock-Attempt"), "1")
        _ = try await tock.waitForState(id, "succeeded")
    }

    func testWhatAJobMayNotPublishIsRefusedAtSubmitNamingTheField() async throws {
        tock = try await TockHarness.start()
        for (body, field) in [
            (#"{"nats": {"subject": "tock.done.0"}}"#, "nats.subject"),
            (#"{"nats": {"subject": "$JS.API.STREAM.DELETE.TOCK_DONE"}}"#, "nats.subject"),
            (#"{"nats": {"subject": "a", "headers": {"Nats-Rollup": "all"}}}"#, "nats.headers"),
            (#"{"nats": {"subject": "a"}, "url": "http://127.0.0.1:1/"}"#, "url"),
        ] {
            let reply = try await tock.submit(body)
            XCTAssertEqual(reply.status, 400, body)
            XCTAssertEqual(reply["error"]?["field"]?.string, field, body)
        }
    }
}

/// A retry of a NATS-target run, with real executors and no shard: the first attempt's message was stored but the
/// run could not be acked, so it comes back and is published again; the stream keeps one copy (same
/// `Nats-Msg-Id`), while a plain subscriber sees both publishes.
final class NATSTargetRetryTests: XCTestCase {
    var tock: TockHarness!
    var lone: LoneExecutors!

    override func setUp() async throws {
        tock = try await TockHarness.start(shard: false, executor: false)
        lone = try LoneExecutors(tock)
    }

    override func tearDown() async throws {
        await lone?.stopAll()
        await tock?.shutdown()
    }

    func testARetriedPublishIsStoredOnce() async throws {
        let queues = try QueueConfig.parse(yaml: "priorities: {normal: {ack_wait: 2s, backoff: [200ms]}}")
        try JetStreamSetup.apply(queues, to: lone.js)
        _ = try lone.js.ensureStream(StreamConfig(name: "ORDERS", subjects: ["orders.>"], storage: .memory))
        let subscriber = try RawNATSClient(port: tock.nats.port)
        try subscriber.subscribe("orders.>", id: 1)
        try subscriber.flush()
        let settled = Mutex(0)
        lone.start("exec-a", queues: queues) { message, outcome in
            let first = settled.withLock {
                $0 += 1
                return $0 == 1
            }
            if first { throw AckLostOnce() }
            try Executor.settleFinishedRun(message, outcome)
        }
        let now = SystemWallClock().nowNs()
        let run = JobRun(
            jobID: JobID.make(shard: 0, nowNs: now), run: 1, shard: 0, priority: .normal, target: .empty,
            timeoutMs: 5_000, maxAttempts: 5, idempotencyKey: "", dueAtNs: now, publishedAtNs: now, traceID: "",
            destination: .nats(NATSTarget(subject: "orders.expire", headers: [], body: Array("42".utf8))))
        _ = try await lone.js.publish(
            subject: Subjects.jobs(priority: .normal, shard: 0), payload: run.encoded(),
            msgID: Subjects.runMessageID(jobID: run.jobID, run: run.run))

        let first = try subscriber.nextMessage()
        let second = try subscriber.nextMessage()
        XCTAssertEqual([first.header("Tock-Attempt"), second.header("Tock-Attempt")], ["1", "2"])
        try await lone.assertNothingLeft(of: run)
        XCTAssertEqual(settled.withLock { $0 }, 2)
        XCTAssertEqual(try lone.js.streamInfo("ORDERS").messages, 1, "the retry was stored a second time")
    }
}

private struct AckLostOnce: Error {}
