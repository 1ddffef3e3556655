import Foundation
import NIOHTTP1
import TockAuth
import TockCore
import TockFrontDoor
import TockTestSupport
import XCTest

/// Dead letters and replay on a real shard, executor, nats-server and webhook sink, over real HTTP and NATS: a job
/// that failed is found by filter, retried, and succeeds; bulk retries and cancels in bounded batches; and every
/// refusal (400, 404, 409) with its field.
final class DeadLetterTests: XCTestCase {
    var tock: TockHarness!

    override func setUp() async throws {
        tock = try await TockHarness.start()
    }

    override func tearDown() async throws {
        await tock?.shutdown()
    }

    func submit(_ path: String, attempts: Int = 1, extra: String = "") async throws -> String {
        let reply = try await tock.submit(
            #"{"url": "\#(tock.sink.baseURL)\#(path)", "max_attempts": \#(attempts)\#(extra)}"#)
        XCTAssertEqual(reply.status, 201, "\(reply.json)")
        return try XCTUnwrap(reply["id"]?.string)
    }

    func ids(_ reply: TockHarness.Reply) -> [String] {
        guard case .array(let jobs)? = reply["jobs"] else { return [] }
        return jobs.compactMap { $0["id"]?.string }
    }

    /// The end-to-end case: the sink fails the first call (a broken receiver), the job fails, the receiver is
    /// "fixed" (the sink answers 200 from then on), the job is retried and succeeds; its runs show both.
    func testAFailedJobIsFoundRetriedAfterTheSinkIsFixedAndSucceeds() async throws {
        let id = try await submit("/fail/1")
        let failed = try await tock.waitForState(id, "failed")
        XCTAssertEqual(failed["last_status"]?.int, 500)

        let listed = try await tock.request(.GET, "/v1/jobs?state=failed&host=127.0.0.1&since=1h")
        XCTAssertEqual(listed.status, 200, "\(listed.json)")
        XCTAssertEqual(ids(listed), [id])
        let otherHost = try await tock.request(.GET, "/v1/jobs?state=failed&host=example.com")
        XCTAssertEqual(ids(otherHost), [])
        let later = try await tock.request(.GET, "/v1/jobs?state=failed&since=2099-01-01T00:00:00Z")
        XCTAssertEqual(ids(later), [])

        let retried = try await tock.request(.POST, "/v1/jobs/\(id)/retry")
        XCTAssertEqual(retried.status, 200, "\(retried.json)")
        XCTAssertEqual(retried["run"]?.int, 2)
        XCTAssertEqual(retried["attempts"]?.int, 0)
        XCTAssertNil(retried["last_status"])
        let succeeded = try await tock.waitForState(id, "succeeded")
        XCTAssertEqual(succeeded["run"]?.int, 2)

        let runs = try await tock.request(.GET, "/v1/jobs/\(id)/runs")
        guard case .array(let records)? = runs["runs"] else { return XCTFail("no runs: \(runs.json)") }
        XCTAssertEqual(records.map { $0["state"]?.string }, ["failed", "succeeded"])
        XCTAssertEqual(records.map { $0["retry_of"]?.int }, [nil, 1])
        XCTAssertEqual(records.first?["last_status"]?.int, 500)
        XCTAssertEqual(tock.sink.requests(forJob: id).map { $0.headers["tock-run"] }, ["1", "2"])
    }

    func testRetryAnswers404ForAnUnknownJobAnd409ForOneStillToRun() async throws {
        for missing in ["0-01JDZZZZZZZZZZZZZZZZZZZZZZ", "not-an-id"] {
            let reply = try await tock.request(.POST, "/v1/jobs/\(missing)/retry")
            XCTAssertEqual(reply.status, 404, missing)
            XCTAssertEqual(reply["error"]?["field"]?.string, "id")
        }
        let scheduled = try await submit("/ok", extra: #", "run_at": "2099-01-01T00:00:00Z""#)
        let reply = try await tock.request(.POST, "/v1/jobs/\(scheduled)/retry")
        XCTAssertEqual(reply.status, 409)
        XCTAssertEqual(reply["error"]?["field"]?.string, "id")
        XCTAssertTrue(reply["error"]?["message"]?.string?.contains("scheduled") == true, "\(reply.json)")

        let recurring = try await tock.submit(#"{"url": "\#(tock.sink.baseURL)/ok", "schedule": {"cron": "@yearly"}}"#)
        let recurringID = try XCTUnwrap(recurring["id"]?.string)
        let live = try await tock.request(.POST, "/v1/jobs/\(recurringID)/retry")
        XCTAssertEqual(live.status, 409)
        XCTAssertTrue(live["error"]?["message"]?.string?.contains("schedule is live") == true, "\(live.json)")
    }

    /// Five dead letters, two a call: three calls retry 2, 2 and 1, and only the last says there is no more. The
    /// retried runs fail again at once, and are not retried a second time: the cursor has passed them.
    func testBulkRetryActsInBoundedBatchesAndCountsThem() async throws {
        var ids: [String] = []
        for _ in 0..<5 { ids.append(try await submit("/status/400")) }
        for id in ids { _ = try await tock.waitForState(id, "failed") }
        var counts: [Int64] = []
        var cursor: String?
        for _ in 0..<10 {
            let body =
                cursor.map { #"{"limit": 2, "since": "1h", "cursor": "\#($0)"}"# } ?? #"{"limit": 2, "since": "1h"}"#
            let reply = try await tock.request(.POST, "/v1/jobs:retry", body: body)
            XCTAssertEqual(reply.status, 200, "\(reply.json)")
            counts.append(try XCTUnwrap(reply["affected"]?.int))
            cursor = reply["next_cursor"]?.string
            XCTAssertEqual(reply["more"], .bool(cursor != nil))
            if cursor == nil { break }
        }
        XCTAssertEqual(counts, [2, 2, 1])
        for id in ids {
            let job = try await tock.waitForState(id, "failed")
            XCTAssertEqual(job["run"]?.int, 2, id)
        }
    }

    func testBulkCancelCancelsWhatIsLeftToRunAndRefusesBadFilters() async throws {
        var ids: [String] = []
        for _ in 0..<3 { ids.append(try await submit("/ok", extra: #", "run_at": "2099-01-01T00:00:00Z""#)) }
        let done = try await submit("/ok")
        _ = try await tock.waitForState(done, "succeeded")
        let reply = try await tock.request(.POST, "/v1/jobs:cancel", body: "{}")
        XCTAssertEqual(reply.status, 200, "\(reply.json)")
        XCTAssertEqual(reply["affected"]?.int, 3)
        XCTAssertEqual(reply["more"], .bool(false))
        for id in ids { _ = try await tock.waitForState(id, "cancelled") }
        let again = try await tock.request(.POST, "/v1/jobs:cancel", body: "")
        XCTAssertEqual(again["affected"]?.int, 0)

        let refused: [(String, String, String)] = [
            ("/v1/jobs:cancel", #"{"state": "failed"}"#, "state"),
            ("/v1/jobs:retry", #"{"state": "scheduled"}"#, "state"),
            ("/v1/jobs:retry", #"{"since": "yesterday"}"#, "since"),
            ("/v1/jobs:retry", #"{"since": "1h", "until": "2h"}"#, "until"),
            ("/v1/jobs:retry", #"{"host": "a b"}"#, "host"),
            ("/v1/jobs:retry", #"{"limit": 1001}"#, "limit"),
            ("/v1/jobs:retry", #"{"limit": "ten"}"#, "limit"),
            ("/v1/jobs:retry", #"{"cursor": "nope"}"#, "cursor"),
            ("/v1/jobs:retry", #"{"stat": "failed"}"#, "stat"),
        ]
        for (path, body, field) in refused {
            let reply = try await tock.request(.POST, path, body: body)
            XCTAssertEqual(reply.status, 400, "\(path) \(body)")
            XCTAssertEqual(reply["error"]?["field"]?.string, field, "\(path) \(body): \(reply.json)")
        }
        let notJSON = try await tock.request(.POST, "/v1/jobs:retry", body: "[")
        XCTAssertEqual(notJSON.status, 400)
        for query in ["host=a%20b", "since=soon", "until=x", "since=1h&until=2h"] {
            let reply = try await tock.request(.GET, "/v1/jobs?\(query)")
            XCTAssertEqual(reply.status, 400, query)
            XCTAssertNotNil(reply["error"]?["field"]?.string, query)
        }
    }

    func testNATSRetryAndBulkAnswerAsHTTPDoes() async throws {
        try await tock.startNATSAPI()
        let id = try await submit("/fail/1")
        _ = try await tock.waitForState(id, "failed")
        let retried = try await tock.ask(JobNATSService.retrySubject, id)
        XCTAssertEqual(retried.status, 200, "\(retried.json)")
        XCTAssertEqual(retried.json["run"]?.int, 2)
        _ = try await tock.waitForState(id, "succeeded")
        let again = try await tock.ask(JobNATSService.retrySubject, #"{"id": "0-01JDZZZZZZZZZZZZZZZZZZZZZZ"}"#)
        XCTAssertEqual(again.status, 404)

        let scheduled = try await submit("/ok", extra: #", "run_at": "2099-01-01T00:00:00Z""#)
        let cancelled = try await tock.ask(JobNATSService.cancelBulkSubject, "{}")
        XCTAssertEqual(cancelled.status, 200, "\(cancelled.json)")
        XCTAssertEqual(cancelled.json["affected"]?.int, 1)
        _ = try await tock.waitForState(scheduled, "cancelled")
        let bad = try await tock.ask(JobNATSService.retryBulkSubject, #"{"state": "published"}"#)
        XCTAssertEqual(bad.status, 400)
        XCTAssertEqual(bad.field, "state")
    }
}

/// Tenants: a retry, and a bulk action, reach only the caller's own jobs; another tenant's job is "not found".
final class DeadLetterTenantTests: XCTestCase {
    var tock: TockHarness!
    let teamA = TenantKeys.teamA, teamAReader = TenantKeys.teamAReader, teamB = TenantKeys.teamB
    let admin = TenantKeys.admin

    override func setUp() async throws {
        tock = try await TockHarness.start(shard: false)
        try await tock.startShard(keys: TenantKeys.keys)
    }

    override func tearDown() async throws {
        await tock?.shutdown()
    }

    func call(_ method: HTTPMethod, _ path: String, key: String, body: String? = nil) async throws -> TockHarness.Reply
    {
        try await tock.request(method, path, body: body, headers: [("Authorization", "Bearer \(key)")])
    }

    func testRetriesAndBulkActionsReachOnlyTheCallersTenant() async throws {
        let submitted = try await call(
            .POST, "/v1/jobs", key: teamA,
            body: #"{"url": "\#(tock.sink.baseURL)/status/400", "max_attempts": 1}"#)
        let id = try XCTUnwrap(submitted["id"]?.string)
        let failed = try await eventually(within: .seconds(15), "job \(id) to fail") {
            let reply = try? await self.call(.GET, "/v1/jobs/\(id)", key: self.teamA)
            return reply?["state"]?.string == "failed" ? reply : nil
        }
        XCTAssertEqual(failed["last_status"]?.int, 400)

        let byB = try await call(.POST, "/v1/jobs/\(id)/retry", key: teamB)
        XCTAssertEqual(byB.status, 404)
        let bulkByB = try await call(.POST, "/v1/jobs:retry", key: teamB, body: "{}")
        XCTAssertEqual(bulkByB["affected"]?.int, 0)
        // A tenant's own `tenant` field does not widen its reach.
        let bulkByBAsA = try await call(.POST, "/v1/jobs:retry", key: teamB, body: #"{"tenant": "team-a"}"#)
        XCTAssertEqual(bulkByBAsA["affected"]?.int, 0)
        let byReader = try await call(.POST, "/v1/jobs/\(id)/retry", key: teamAReader)
        XCTAssertEqual(byReader.status, 403)
        let bulkByReader = try await call(.POST, "/v1/jobs:cancel", key: teamAReader, body: "{}")
        XCTAssertEqual(bulkByReader.status, 403)

        let byA = try await call(.POST, "/v1/jobs/\(id)/retry", key: teamA)
        XCTAssertEqual(byA.status, 200, "\(byA.json)")
        XCTAssertEqual(byA["run"]?.int, 2)
        // An admin picks the tenant.
        let other = try await call(
            .POST, "/v1/jobs", key: teamB,
            body: #"{"url": "\#(tock.sink.baseURL)/ok", "run_at": "2099-01-01T00:00:00Z"}"#)
        XCTAssertEqual(other.status, 201)
        let cancelA = try await call(.POST, "/v1/jobs:cancel", key: admin, body: #"{"tenant": "team-a"}"#)
        XCTAssertEqual(cancelA.status, 200, "\(cancelA.json)")
        let cancelB = try await call(.POST, "/v1/jobs:cancel", key: admin, body: #"{"tenant": "team-b"}"#)
        XCTAssertEqual(cancelB["affected"]?.int, 1)
    }
}
