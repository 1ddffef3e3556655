import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TockAuth
import TockTestSupport
import XCTest

/// The dashboard (`/ui/`) over real HTTP on a shard with API keys, without a browser (ops/check-ui drives one):
/// signing in keeps the key in a cookie for `/ui` alone, pages act with its tenant and scopes only, a form posted
/// from another site is refused, and what a job's submitter chose is escaped on the page.
final class DashboardTests: XCTestCase {
    var tock: TockHarness!
    /// Follows no redirect, so each answer is the dashboard's own.
    var client: HTTPClient!

    override func setUp() async throws {
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        tock = try await TockHarness.start(shard: false)
        try await tock.startShard(keys: TenantKeys.keys)
    }

    override func tearDown() async throws {
        try await client?.shutdown()
        await tock?.shutdown()
    }

    struct Page {
        var status: UInt
        var headers: HTTPHeaders
        var text: String
    }

    func call(
        _ method: HTTPMethod, _ path: String, form: String? = nil, cookie: String? = nil,
        headers: [(String, String)] = []
    ) async throws -> Page {
        var request = HTTPClientRequest(url: tock.shardURL + path)
        request.method = method
        request.headers.add(contentsOf: headers)
        if let cookie { request.headers.add(name: "Cookie", value: cookie) }
        if let form {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: form))
        }
        let response = try await client.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 22)
        return Page(status: response.status.code, headers: response.headers, text: String(buffer: body))
    }

    /// Signs in with `key` and returns the cookie the dashboard set.
    func signIn(_ key: String) async throws -> String {
        let page = try await call(.POST, "/ui/login", form: "key=\(key)&next=%2Fui%2Fjobs")
        XCTAssertEqual(page.status, 303)
        XCTAssertEqual(page.headers.first(name: "Location"), "/ui/jobs")
        let cookie = try XCTUnwrap(page.headers.first(name: "Set-Cookie"))
        XCTAssertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/ui"))
        return String(cookie.split(separator: ";")[0])
    }

    func testAPagesKeyIsItsCookieAndItSeesItsTenantsJobsOnly() async throws {
        let mine = try await tock.request(
            .POST, "/v1/jobs", body: #"{"url": "\#(tock.sink.baseURL)/a", "delay": "1h"}"#,
            headers: [("Authorization", "Bearer \(TenantKeys.teamA)")])
        let theirs = try await tock.request(
            .POST, "/v1/jobs", body: #"{"url": "\#(tock.sink.baseURL)/b", "delay": "1h"}"#,
            headers: [("Authorization", "Bearer \(TenantKeys.teamB)")])
        let mineID = try XCTUnwrap(mine["id"]?.string)
        let theirID = try XCTUnwrap(theirs["id"]?.string)

        let anonymous = try await call(.GET, "/ui/jobs")
        XCTAssertEqual(anonymous.status, 303)
        XCTAssertEqual(anonymous.headers.first(name: "Location"), "/ui/login?next=%2Fui%2Fjobs")
        let wrong = try await call(.POST, "/ui/login", form: "key=tock_nobody")
        XCTAssertEqual(wrong.status, 401)
        XCTAssertTrue(wrong.text.contains("Unknown key."))

        let cookie = try await signIn(TenantKeys.teamA)
        let jobs = try await call(.GET, "/ui/jobs", cookie: cookie)
        XCTAssertEqual(jobs.status, 200)
        XCTAssertTrue(jobs.text.contains(mineID))
        XCTAssertFalse(jobs.text.contains(theirID), "another tenant's job on the page")
        let overview = try await call(.GET, "/ui/", cookie: cookie)
        XCTAssertFalse(overview.text.contains("id=\"cluster\""), "a tenant sees the Raft group")
        let adminCookie = try await signIn(TenantKeys.admin)
        let admin = try await call(.GET, "/ui/", cookie: adminCookie)
        XCTAssertTrue(admin.text.contains("id=\"cluster\""))
        // The harness's executor, heard through its heartbeats.
        _ = try await eventually("the executor on the overview") {
            let page = try await self.call(.GET, "/ui/", cookie: adminCookie)
            return page.text.contains("<td>test-executor</td>") ? true : nil
        }

        // A reader may look, not act.
        let reader = try await signIn(TenantKeys.teamAReader)
        let readerPage = try await call(.GET, "/ui/jobs/\(mineID)", cookie: reader)
        XCTAssertFalse(readerPage.text.contains("/cancel"), "a reader is offered Cancel")
        let refused = try await call(.POST, "/ui/jobs/\(mineID)/cancel", cookie: reader)
        XCTAssertEqual(refused.status, 303)
        XCTAssertTrue(refused.headers.first(name: "Location")?.hasPrefix("/ui/?error=") ?? false)
        let still = try await tock.request(
            .GET, "/v1/jobs/\(mineID)", headers: [("Authorization", "Bearer \(TenantKeys.admin)")])
        XCTAssertEqual(still["state"]?.string, "scheduled")

        // A writer's Cancel from the page, and the cookie ends at sign-out.
        let cancelled = try await call(
            .POST, "/ui/jobs/\(mineID)/cancel", cookie: cookie, headers: [("Sec-Fetch-Site", "same-origin")])
        XCTAssertEqual(cancelled.status, 303)
        XCTAssertTrue(cancelled.headers.first(name: "Location")?.contains("notice=") ?? false)
        let after = try await tock.request(
            .GET, "/v1/jobs/\(mineID)", headers: [("Authorization", "Bearer \(TenantKeys.admin)")])
        XCTAssertEqual(after["state"]?.string, "cancelled")
        let out = try await call(.POST, "/ui/logout", cookie: cookie)
        XCTAssertTrue(out.headers.first(name: "Set-Cookie")?.contains("Max-Age=0") ?? false)
    }

    func testAFormFromAnotherSiteIsRefused() async throws {
        let created = try await tock.request(
            .POST, "/v1/jobs", body: #"{"url": "\#(tock.sink.baseURL)/a", "delay": "1h"}"#,
            headers: [("Authorization", "Bearer \(TenantKeys.teamA)")])
        let id = try XCTUnwrap(created["id"]?.string)
        let cookie = try await signIn(TenantKeys.teamA)
        for headers in [[("Sec-Fetch-Site", "cross-site")], [("Origin", "http://evil.example")]] {
            let page = try await call(.POST, "/ui/jobs/\(id)/cancel", cookie: cookie, headers: headers)
            XCTAssertEqual(page.status, 403, "\(headers)")
        }
        let job = try await tock.request(
            .GET, "/v1/jobs/\(id)", headers: [("Authorization", "Bearer \(TenantKeys.admin)")])
        XCTAssertEqual(job["state"]?.string, "scheduled")
    }

    func testWhatASubmitterChoseIsEscapedOnThePage() async throws {
        let created = try await tock.request(
            .POST, "/v1/jobs",
            body:
                #"{"url": "\#(tock.sink.baseURL)/a?<script>alert(1)</script>", "body": "<img src=x onerror=alert(2)>", "delay": "1h"}"#,
            headers: [("Authorization", "Bearer \(TenantKeys.teamA)")])
        let id = try XCTUnwrap(created["id"]?.string, "\(created.json)")
        let page = try await call(.GET, "/ui/jobs/\(id)", cookie: try await signIn(TenantKeys.teamA))
        XCTAssertEqual(page.status, 200)
        XCTAssertFalse(page.text.contains("<script>alert"), "a URL's script reached the page")
        XCTAssertFalse(page.text.contains("<img src=x"), "a body's markup reached the page")
        XCTAssertTrue(page.text.contains("&lt;img src=x onerror=alert(2)&gt;"))
        XCTAssertEqual(
            page.headers.first(name: "Content-Security-Policy"),
            "default-src 'self'; frame-ancestors 'none'; form-action 'self'")
    }
}
