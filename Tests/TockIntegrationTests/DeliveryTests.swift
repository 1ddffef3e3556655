import NIOHTTP1
import TockCore
import TockTestSupport
import TockWire
import XCTest

/// A job's whole path: HTTP submit → shard → JetStream → executor → webhook → completion → "succeeded".
final class DeliveryTests: XCTestCase {
    var tock: TockHarness!

    override func setUp() async throws {
        tock = try await TockHarness.start()
    }

    override func tearDown() async throws {
        await tock?.shutdown()
    }

    func testJobReachesWebhookWithBodyAndHeadersAndEndsSucceeded() async throws {
        let created = try await tock.submit(
            """
            {"url": "\(tock.sink.baseURL)/ok", "body": "hello, webhook", "headers": {"X-Custom": "yes"},
             "idempotency_key": "order-42", "priority": "high"}
            """)
        XCTAssertEqual(created.status, 201, "\(created.json)")
        let id = try XCTUnwrap(created["id"]?.string)
        XCTAssertEqual(JobID.shard(of: id), 0)

        let done = try await tock.waitForState(id, "succeeded")
        XCTAssertEqual(done["attempts"]?.int, 1)
        XCTAssertEqual(done["last_status"]?.int, 200)
        try await assertNothingLeft(ofJob: id, priority: .high, natsURL: tock.nats.url)

        let received = tock.sink.requests(forJob: id)
        XCTAssertEqual(received.count, 1)
        let request = try XCTUnwrap(received.first)
        XCTAssertEqual(request.method, "POST")
        XCTAssertEqual(request.path, "/ok")
        XCTAssertEqual(request.body, "hello, webhook")
        XCTAssertEqual(request.headers["x-custom"], "yes")
        XCTAssertEqual(request.headers["tock-job-id"], id)
        XCTAssertEqual(request.headers["tock-run"], "1")
        XCTAssertEqual(request.headers["tock-attempt"], "1")
        let dueAt = try XCTUnwrap(RFC3339.parseNs(try XCTUnwrap(request.headers["tock-due-at"])))
        let createdAt = try XCTUnwrap(RFC3339.parseNs(try XCTUnwrap(created["created_at"]?.string)))
        // A job without run_at is due when its request was read, just before the shard stamps its creation.
        XCTAssertLessThanOrEqual(dueAt, createdAt + 1_000_000)
        XCTAssertLessThan(createdAt - dueAt, 5_000_000_000)
        XCTAssertEqual(request.headers["idempotency-key"], "order-42")
        XCTAssertNil(request.headers["tock-signature"], "no signing secret, no signature")
    }

    func testWebhookFailingTwiceThenOKEndsSucceededAfterThreeAttemptsWithBackoff() async throws {
        let created = try await tock.submit(#"{"url": "\#(tock.sink.baseURL)/fail/2", "max_attempts": 5}"#)
        XCTAssertEqual(created.status, 201)
        let id = try XCTUnwrap(created["id"]?.string)

        let done = try await tock.waitForState(id, "succeeded")
        XCTAssertEqual(done["attempts"]?.int, 3)
        let received = tock.sink.requests(forJob: id)
        XCTAssertEqual(received.map { $0.headers["tock-attempt"] }, ["1", "2", "3"])
        // The harness's back-off is 200 ms, doubling: at least 200 ms, then 400 ms, between attempts.
        let gaps = zip(received.dropFirst(), received).map { ($0.receivedAtNs - $1.receivedAtNs) / 1_000_000 }
        XCTAssertGreaterThanOrEqual(gaps[0], 190, "gaps in ms: \(gaps)")
        XCTAssertGreaterThanOrEqual(gaps[1], 390, "gaps in ms: \(gaps)")
    }

    func testAlwaysFailingWebhookEndsFailedAfterMaxAttempts() async throws {
        let created = try await tock.submit(#"{"url": "\#(tock.sink.baseURL)/always-fail", "max_attempts": 3}"#)
        let id = try XCTUnwrap(created["id"]?.string)

        let done = try await tock.waitForState(id, "failed")
        XCTAssertEqual(done["attempts"]?.int, 3)
        XCTAssertEqual(done["last_status"]?.int, 500)
        XCTAssertTrue(done["last_error"]?.string?.contains("HTTP 500") ?? false, "\(done.json)")
        XCTAssertEqual(tock.sink.requests(forJob: id).count, 3)
    }

    func testUnreachableWebhookIsRetriedThenFailsWithTheConnectionError() async throws {
        let closedPort = freeLoopbackPort()
        let created = try await tock.submit(#"{"url": "http://127.0.0.1:\#(closedPort)/x", "max_attempts": 2}"#)
        let id = try XCTUnwrap(created["id"]?.string)

        let done = try await tock.waitForState(id, "failed", within: .seconds(10))
        XCTAssertEqual(done["attempts"]?.int, 2)
        XCTAssertNil(done["last_status"]?.int)
        XCTAssertFalse(done["last_error"]?.string?.isEmpty ?? true, "\(done.json)")
    }

    func testDelayedJobIsNotDeliveredBeforeItsDueTime() async throws {
        let sentAt = SystemWallClock().nowNs()
        let created = try await tock.submit(#"{"url": "\#(tock.sink.baseURL)/ok", "delay": "1500ms"}"#)
        let answeredAt = SystemWallClock().nowNs()
        let id = try XCTUnwrap(created["id"]?.string)
        let dueAt = try XCTUnwrap(created["run_at"]?.string.flatMap(RFC3339.parseNs))
        let createdAt = try XCTUnwrap(created["created_at"]?.string.flatMap(RFC3339.parseNs))
        // The delay counts from when the request was read, between sending it and the answer (same host, same
        // clock); the job is stamped when its create is proposed, a moment later.
        XCTAssertGreaterThanOrEqual(dueAt, sentAt + 1_500_000_000)
        XCTAssertLessThanOrEqual(dueAt, answeredAt + 1_500_000_000)
        XCTAssertLessThanOrEqual(createdAt, answeredAt)
        XCTAssertLessThanOrEqual(dueAt - createdAt, 1_500_000_000)

        _ = try await tock.waitForState(id, "succeeded")
        let received = try XCTUnwrap(tock.sink.requests(forJob: id).first)
        XCTAssertGreaterThanOrEqual(received.receivedAtNs, dueAt)
    }

    func testRunAtInRFC3339IsHonoured() async throws {
        let dueAt = SystemWallClock().nowNs() + 1_000_000_000
        let created = try await tock.submit(
            #"{"url": "\#(tock.sink.baseURL)/ok", "run_at": "\#(RFC3339.format(ns: dueAt))"}"#)
        XCTAssertEqual(created.status, 201)
        let id = try XCTUnwrap(created["id"]?.string)
        _ = try await tock.waitForState(id, "succeeded")
        let received = try XCTUnwrap(tock.sink.requests(forJob: id).first)
        XCTAssertGreaterThanOrEqual(received.receivedAtNs, dueAt - 1_000_000)
    }

    func testCancelledJobIsNeverDelivered() async throws {
        let cancelled = try await tock.submit(#"{"url": "\#(tock.sink.baseURL)/ok", "delay": "1s"}"#)
        let cancelledID = try XCTUnwrap(cancelled["id"]?.string)
        let reply = try await tock.request(.DELETE, "/v1/jobs/\(cancelledID)")
        XCTAssertEqual(reply.status, 200)
        XCTAssertEqual(reply["state"]?.string, "cancelled")

        // A job due after the cancelled one: once it is delivered, the cancelled one's due time has passed.
        let marker = try await tock.submit(#"{"url": "\#(tock.sink.baseURL)/ok", "delay": "1500ms"}"#)
        let markerID = try XCTUnwrap(marker["id"]?.string)
        _ = try await tock.waitForState(markerID, "succeeded")

        XCTAssertEqual(tock.sink.requests(forJob: cancelledID).count, 0)
        let after = try await tock.job(cancelledID)
        XCTAssertEqual(after["state"]?.string, "cancelled")

        let again = try await tock.request(.DELETE, "/v1/jobs/\(cancelledID)")
        XCTAssertEqual(again.status, 200, "cancelling a cancelled job is idempotent")
        let finished = try await tock.request(.DELETE, "/v1/jobs/\(markerID)")
        XCTAssertEqual(finished.status, 409)
        XCTAssertEqual(finished["error"]?["field"]?.string, "id")
    }

    func testSameIdempotencyKeyReturnsTheExistingJob() async throws {
        let body = #"{"url": "\#(tock.sink.baseURL)/ok", "delay": "1h", "idempotency_key": "once"}"#
        let first = try await tock.submit(body)
        let second = try await tock.submit(body)
        XCTAssertEqual(first.status, 201)
        XCTAssertEqual(second.status, 200)
        XCTAssertEqual(first["id"], second["id"])
    }

    func testHealthz() async throws {
        let reply = try await tock.request(.GET, "/healthz")
        XCTAssertEqual(reply.status, 200)
        XCTAssertEqual(reply["status"]?.string, "ok")
    }
}
