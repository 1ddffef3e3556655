import Foundation
import NIOHTTP1
import TockAuth
import TockCore
import TockFrontDoor
import TockNATS
import TockTestSupport
import XCTest

/// A shard started with API keys, called over real HTTP and NATS: who gets in (401, 403), and what each tenant
/// sees (ops/SECURITY.md, "API keys and tenants").
final class APIAuthenticationTests: XCTestCase {
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

    func call(_ method: HTTPMethod, _ path: String, key: String?, body: String? = nil) async throws -> TockHarness.Reply
    {
        try await tock.request(method, path, body: body, headers: key.map { [("Authorization", "Bearer \($0)")] } ?? [])
    }

    func submit(_ json: String, key: String) async throws -> TockHarness.Reply {
        try await call(.POST, "/v1/jobs", key: key, body: json)
    }

    var later: String { #""run_at": "2099-01-01T00:00:00Z""# }

    func testEveryCallButHealthAndMetricsNeedsAKnownKey() async throws {
        let guarded: [(HTTPMethod, String)] = [
            (.POST, "/v1/jobs"), (.GET, "/v1/jobs"), (.GET, "/v1/jobs/0-01J0000000000000000000000"),
            (.POST, "/v1/jobs:batch"), (.GET, "/v1/jobs:counts"), (.GET, "/v1/cluster"), (.GET, "/v1/status"),
            (.POST, "/v1/cluster/nodes"), (.POST, "/v1/cluster/transfer-leader"), (.GET, "/jobs?status=pending"),
            (.POST, "/jobs"), (.GET, "/openapi.json"), (.GET, "/no-such-route"),
        ]
        for (method, path) in guarded {
            for key in [nil, "tock_not_a_key", ""] {
                let reply = try await call(method, path, key: key, body: "{}")
                XCTAssertEqual(reply.status, 401, "\(method) \(path) with \(key ?? "no key")")
                XCTAssertEqual(reply["error"]?["code"]?.string, "unauthenticated", "\(method) \(path)")
                XCTAssertEqual(reply.headers.first(name: "WWW-Authenticate"), "Bearer")
            }
        }
        let basic = try await tock.request(.GET, "/v1/jobs", headers: [("Authorization", "Basic \(teamA)")])
        XCTAssertEqual(basic.status, 401)
        for path in ["/healthz", "/metrics", "/health"] {
            let reply = try await call(.GET, path, key: nil)
            XCTAssertEqual(reply.status, 200, path)
        }
    }

    func testAKeyWithoutTheScopeIsForbidden() async throws {
        let readerSubmit = try await submit(#"{"url": "http://example.com/h", \#(later)}"#, key: teamAReader)
        XCTAssertEqual(readerSubmit.status, 403)
        XCTAssertEqual(readerSubmit["error"]?["code"]?.string, "forbidden")
        let readerList = try await call(.GET, "/v1/jobs", key: teamAReader)
        XCTAssertEqual(readerList.status, 200)
        for (method, path) in [(HTTPMethod.GET, "/v1/cluster"), (.GET, "/v1/status"), (.POST, "/v1/cluster/nodes")] {
            let reply = try await call(method, path, key: teamA, body: #"{"node": "n9", "raft": "10.0.0.9:7100"}"#)
            XCTAssertEqual(reply.status, 403, "\(method) \(path)")
        }
        let cluster = try await call(.GET, "/v1/cluster", key: admin)
        XCTAssertEqual(cluster.status, 200)
    }

    func testATenantSeesAndChangesOnlyItsOwnJobs() async throws {
        let recurring = #"{"url": "http://example.com/h", "schedule": {"cron": "0 0 * * *"}}"#
        let mine = try await submit(recurring, key: teamA)
        XCTAssertEqual(mine.status, 201, "\(mine.json)")
        XCTAssertEqual(mine["tenant"]?.string, "team-a")
        let id = try XCTUnwrap(mine["id"]?.string)
        let theirs = try await submit(#"{"url": "http://example.com/b", \#(later)}"#, key: teamB)
        let theirID = try XCTUnwrap(theirs["id"]?.string)

        // Another tenant's job does not exist for B: not even a 403 that would confirm the id.
        for (method, path) in [
            (HTTPMethod.GET, "/v1/jobs/\(id)"), (.DELETE, "/v1/jobs/\(id)"),
            (.POST, "/v1/jobs/\(id)/pause"), (.POST, "/v1/jobs/\(id)/resume"),
            (.GET, "/v1/jobs/\(id)/runs"), (.GET, "/jobs/\(id)"), (.POST, "/jobs/\(id)/cancel"),
        ] {
            let reply = try await call(method, path, key: teamB)
            XCTAssertEqual(reply.status, 404, "\(method) \(path): \(reply.json)")
        }
        let stillThere = try await call(.GET, "/v1/jobs/\(id)", key: teamAReader)
        XCTAssertEqual(stillThere["state"]?.string, "scheduled")
        XCTAssertNil(stillThere["paused"]?.bool)

        let listB = try await call(.GET, "/v1/jobs", key: teamB)
        XCTAssertEqual(listB["jobs"]?.array?.compactMap { $0["id"]?.string }, [theirID])
        let countsB = try await call(.GET, "/v1/jobs:counts", key: teamB)
        XCTAssertEqual(countsB["total"]?["scheduled"]?.int, 1)
        let scheduledDB = try await call(.GET, "/jobs?status=pending", key: teamB)
        XCTAssertEqual(scheduledDB["jobs"]?.array?.count, 1)

        // A's own calls work; the admin sees both tenants and may filter by one.
        let paused = try await call(.POST, "/v1/jobs/\(id)/pause", key: teamA)
        XCTAssertEqual(paused.status, 200)
        let all = try await call(.GET, "/v1/jobs", key: admin)
        XCTAssertEqual(Set(all["jobs"]?.array?.compactMap { $0["id"]?.string } ?? []), [id, theirID])
        let onlyB = try await call(.GET, "/v1/jobs?tenant=team-b", key: admin)
        XCTAssertEqual(onlyB["jobs"]?.array?.compactMap { $0["id"]?.string }, [theirID])
        let adminCounts = try await call(.GET, "/v1/jobs:counts", key: admin)
        XCTAssertEqual(adminCounts["total"]?["scheduled"]?.int, 2)
        // A tenant's key cannot widen its view with ?tenant=.
        let sneaky = try await call(.GET, "/v1/jobs?tenant=team-a", key: teamB)
        XCTAssertEqual(sneaky["jobs"]?.array?.compactMap { $0["id"]?.string }, [theirID])
    }

    func testIdempotencyKeysArePerTenant() async throws {
        let job = #"{"url": "http://example.com/h", "idempotency_key": "order-42", \#(later)}"#
        let a = try await submit(job, key: teamA)
        let b = try await submit(job, key: teamB)
        XCTAssertEqual(a.status, 201)
        XCTAssertEqual(b.status, 201, "another tenant's key is not a duplicate")
        XCTAssertNotEqual(a["id"]?.string, b["id"]?.string)
        let again = try await submit(job, key: teamA)
        XCTAssertEqual(again.status, 200)
        XCTAssertEqual(again["id"]?.string, a["id"]?.string)
        let lookup = try await call(.GET, "/v1/jobs?idempotency_key=order-42", key: teamB)
        XCTAssertEqual(lookup["jobs"]?.array?.compactMap { $0["id"]?.string }, [try XCTUnwrap(b["id"]?.string)])
    }

    func testABatchBelongsToItsCallersTenant() async throws {
        let body =
            #"{"jobs": [{"url": "http://example.com/1", \#(later)}, {"url": "http://example.com/2", \#(later)}]}"#
        let batch = try await call(.POST, "/v1/jobs:batch", key: teamB, body: body)
        XCTAssertEqual(batch.status, 200, "\(batch.json)")
        let ids = batch["results"]?.array?.compactMap { $0["job"]?["id"]?.string ?? $0["id"]?.string } ?? []
        XCTAssertEqual(ids.count, 2, "\(batch.json)")
        for id in ids {
            let byA = try await call(.GET, "/v1/jobs/\(id)", key: teamA)
            XCTAssertEqual(byA.status, 404)
            let byB = try await call(.GET, "/v1/jobs/\(id)", key: teamB)
            XCTAssertEqual(byB["tenant"]?.string, "team-b")
        }
    }

    func testSecretHeadersReadBackRedacted() async throws {
        let reply = try await submit(
            #"""
            {"url": "http://example.com/h", \#(later),
             "headers": {"Authorization": "Bearer partner-secret", "X-Api-Key": "k-123", "X-Trace": "visible"},
             "secret_headers": ["x-api-key"]}
            """#, key: teamA)
        XCTAssertEqual(reply.status, 201, "\(reply.json)")
        let read = try await call(.GET, "/v1/jobs/\(try XCTUnwrap(reply["id"]?.string))", key: teamA)
        for answer in [reply, read] {
            XCTAssertEqual(answer["headers"]?["Authorization"]?.string, "***")
            XCTAssertEqual(answer["headers"]?["X-Api-Key"]?.string, "***")
            XCTAssertEqual(answer["headers"]?["X-Trace"]?.string, "visible")
        }
        let unknown = try await submit(#"{"url": "http://example.com/h", "secret_headers": ["X-Nope"]}"#, key: teamA)
        XCTAssertEqual(unknown.status, 400)
        XCTAssertEqual(unknown["error"]?["field"]?.string, "secret_headers")
    }

    func testTheWebhookGetsTheSecretValuesThatReadsHide() async throws {
        let reply = try await submit(
            #"""
            {"url": "\#(tock.sink.baseURL)/ok", "headers": {"X-Api-Key": "k-123", "Authorization": "Bearer p"},
             "secret_headers": ["X-Api-Key"]}
            """#, key: teamA)
        XCTAssertEqual(reply["headers"]?["X-Api-Key"]?.string, "***")
        let id = try XCTUnwrap(reply["id"]?.string)
        let received = try await eventually("the webhook call") { self.tock.sink.requests(forJob: id).first }
        XCTAssertEqual(received.headers["x-api-key"], "k-123")
        XCTAssertEqual(received.headers["authorization"], "Bearer p")
    }

    func testTheNATSRequestAPIAuthenticatesLikeHTTP() async throws {
        try await tock.startNATSAPI()
        let connection = try NATSConnection.connect(url: tock.nats.url)
        defer { connection.close() }
        let job = Array(#"{"url": "http://example.com/h", "run_at": "2099-01-01T00:00:00Z"}"#.utf8)
        let anonymous = try await connection.request(
            subject: JobNATSService.submitSubject, data: job, timeout: .seconds(5))
        XCTAssertEqual(anonymous.header("tock-status"), "401")
        let reader = try await connection.request(
            subject: JobNATSService.submitSubject, data: job,
            headers: [(name: "Authorization", value: "Bearer \(teamAReader)")],
            timeout: .seconds(5))
        XCTAssertEqual(reader.header("tock-status"), "403")
        let created = try await connection.request(
            subject: JobNATSService.submitSubject, data: job,
            headers: [(name: "Authorization", value: "Bearer \(teamA)")],
            timeout: .seconds(5))
        XCTAssertEqual(created.header("tock-status"), "201")
        let id = try XCTUnwrap(JSONValue(parsing: created.data)?["id"]?.string)
        let byB = try await connection.request(
            subject: JobNATSService.getSubject, data: Array(id.utf8),
            headers: [(name: "Authorization", value: "Bearer \(teamB)")],
            timeout: .seconds(5))
        XCTAssertEqual(byB.header("tock-status"), "404")
        let cancelByB = try await connection.request(
            subject: JobNATSService.cancelSubject, data: Array(id.utf8),
            headers: [(name: "Authorization", value: "Bearer \(teamB)")],
            timeout: .seconds(5))
        XCTAssertEqual(cancelByB.header("tock-status"), "404")
        let byA = try await connection.request(
            subject: JobNATSService.getSubject, data: Array(id.utf8),
            headers: [(name: "Authorization", value: "Bearer \(teamAReader)")],
            timeout: .seconds(5))
        XCTAssertEqual(byA.header("tock-status"), "200")
    }
}

extension JSONValue {
    var array: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }
}
