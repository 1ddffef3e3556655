import Foundation
import TockTestSupport
import XCTest

/// A shard with a short retention, a real nats-server and a real executor: finished jobs — delivered, failed,
/// cancelled — are deleted once older than the retention (GET answers 404, the purge is counted on /metrics), and
/// their idempotency keys are free again; jobs still to run are not touched.
final class RetentionTests: XCTestCase {
    var tock: TockHarness!

    override func tearDown() async throws {
        await tock?.shutdown()
    }

    func testFinishedJobsAreDeletedAfterTheRetentionAndLiveOnesStay() async throws {
        tock = try await TockHarness.start(shard: false)
        try await tock.startShard { configuration in
            configuration.retention = .seconds(1)
            configuration.retentionInterval = .milliseconds(200)
        }
        let delivered = try await tock.submit(
            #"""
            {"url": "\#(tock.sink.baseURL)/ok", "body": "x", "idempotency_key": "once"}
            """#)
        XCTAssertEqual(delivered.status, 201, "\(delivered.json)")
        let deliveredID = try XCTUnwrap(delivered["id"]?.string)
        let cancelled = try await tock.submit(#"{"url": "\#(tock.sink.baseURL)/ok", "delay": "1h"}"#)
        let cancelledID = try XCTUnwrap(cancelled["id"]?.string)
        let cancel = try await tock.request(.DELETE, "/v1/jobs/\(cancelledID)")
        XCTAssertEqual(cancel.status, 200)
        let later = try await tock.submit(#"{"url": "\#(tock.sink.baseURL)/ok", "delay": "1h"}"#)
        let laterID = try XCTUnwrap(later["id"]?.string)
        _ = try await tock.waitForState(deliveredID, "succeeded")

        for id in [deliveredID, cancelledID] {
            _ = try await eventually(within: .seconds(15), "job \(id) to be purged") {
                try await tock.job(id).status == 404 ? true : nil
            }
        }
        let stillThere = try await tock.job(laterID)
        XCTAssertEqual(stillThere["state"]?.string, "scheduled")

        let again = try await tock.submit(
            #"""
            {"url": "\#(tock.sink.baseURL)/ok", "body": "x", "idempotency_key": "once"}
            """#)
        XCTAssertEqual(again.status, 201, "a purged job's key is free again: \(again.json)")
        XCTAssertNotEqual(again["id"]?.string, deliveredID)

        let metrics = try await ObservabilityTests.metrics(tock.shardURL)
        XCTAssertGreaterThanOrEqual(metrics.sum("tock_shard_jobs_purged_total"), 2)
    }
}
