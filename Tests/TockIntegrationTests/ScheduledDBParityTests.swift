import Foundation
import TockCore
import TockModel
import TockNATS
import TockTestSupport
import XCTest

/// What scheduled-db's own scripts do, against a real Tock node: a job without a webhook is a timer that completes
/// at its time, and a scheduled-db id names one job however long ago the idempotency retention ran out.
final class ScheduledDBParityTests: XCTestCase {
    var tock: TockHarness!

    override func tearDown() async throws {
        await tock?.shutdown()
    }

    func testAJobWithoutAWebhookCompletesAtItsTimeAndIsListedAsCompleted() async throws {
        tock = try await TockHarness.start()
        let dueAt = Int64(Date().timeIntervalSince1970) + 2
        let created = try await tock.request(
            .POST, "/jobs", body: #"{"type": "unico", "timestamp": "\#(dueAt)", "id": "timer-1"}"#)
        XCTAssertEqual(created.status, 200, "\(created.json)")
        XCTAssertEqual(created["id"]?.string, "timer-1")
        XCTAssertNil(created["webhook_url"], "a timer shows no webhook")

        let pending = try await tock.request(.GET, "/jobs?status=pending")
        XCTAssertEqual(pending["jobs"]?.array?.compactMap { $0["job_id"]?.string }, ["timer-1"])
        _ = try await eventually(within: .seconds(15), "the timer completed") {
            let completed = try await self.tock.request(.GET, "/jobs?status=completed")
            return completed["jobs"]?.array?.compactMap({ $0["job_id"]?.string }) == ["timer-1"] ? true : nil
        }
        let status = try await tock.request(.GET, "/jobs/timer-1/status")
        XCTAssertEqual(status["status"]?.string, "completed")
        XCTAssertEqual(status["attempt_count"]?.int, 1)
        let completedAt = try XCTUnwrap(status["completed_at"]?.int)
        XCTAssertGreaterThanOrEqual(completedAt, dueAt, "completed before its time")
        XCTAssertTrue(tock.sink.requests.isEmpty, "a timer calls nothing")

        // Its outcome event was recorded and published, as any job's is.
        let connection = try NATSConnection.connect(url: tock.nats.url)
        defer { connection.close() }
        _ = try await eventually("the timer's outcome event in TOCK_EVENTS") {
            try connection.jetStream().streamInfo(Subjects.eventsStream).messages >= 1 ? true : nil
        }
    }

    func testAScheduledDBIDNamesOneJobAfterTheIdempotencyRetention() async throws {
        tock = try await TockHarness.start(shard: false)
        try await tock.startShard { $0.idempotencyRetention = .milliseconds(1) }
        let body = #"""
            {"id": "order-42", "type": "recurrente", "cron_expression": "0 9 * * *",
             "webhook_url": "\#(tock.sink.baseURL)/ok"}
            """#
        let first = try await tock.request(.POST, "/jobs", body: body)
        XCTAssertEqual(first.status, 200, "\(first.json)")
        // Past the 1 ms retention: a Tock key would have expired by now.
        let again = try await tock.request(.POST, "/jobs", body: body)
        XCTAssertEqual(again.status, 200, "\(again.json)")
        let listed = try await tock.request(.GET, "/v1/jobs?idempotency_key=order-42")
        XCTAssertEqual(listed["jobs"]?.array?.count, 1, "\(listed.json)")
        let counts = try await tock.request(.GET, "/v1/jobs:counts")
        XCTAssertEqual(counts["total"]?["scheduled"]?.int, 1, "two schedules under one name")

        // Cancelled, the name is free again: the next create makes the one live job.
        let cancel = try await tock.request(.POST, "/jobs/order-42/cancel")
        XCTAssertEqual(cancel.status, 200, "\(cancel.json)")
        let third = try await tock.request(.POST, "/jobs", body: body)
        XCTAssertEqual(third.status, 200, "\(third.json)")
        let status = try await tock.request(.GET, "/jobs/order-42/status")
        XCTAssertEqual(status["status"]?.string, "pending")
        let after = try await tock.request(.GET, "/v1/jobs:counts")
        XCTAssertEqual(after["total"]?["scheduled"]?.int, 1)
        XCTAssertEqual(after["total"]?["cancelled"]?.int, 1)
    }
}
