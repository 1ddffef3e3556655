import Foundation
import TockTestSupport
import XCTest

/// `/ui/flows`: the caller's tenant's flows with their limits and runs held back, every tenant's for an
/// administrator, linked from every page.
extension DashboardTests {
    func testTheFlowsPageShowsItsTenantsFlowsAndWhatIsHeldBack() async throws {
        // Rate 1/h: the first run goes out, the second waits an hour.
        for _ in 0..<2 {
            let created = try await tock.request(
                .POST, "/v1/jobs",
                body: #"{"url": "\#(tock.sink.baseURL)/a", "flow": {"key": "partner-a", "rate": "1/h"}}"#,
                headers: [("Authorization", "Bearer \(TenantKeys.teamA)")])
            XCTAssertEqual(created.status, 201, created.text)
        }
        let theirs = try await tock.request(
            .PUT, "/v1/flows/partner-b", body: #"{"concurrency": 3}"#,
            headers: [("Authorization", "Bearer \(TenantKeys.teamB)")])
        XCTAssertEqual(theirs.status, 200, theirs.text)

        let cookie = try await signIn(TenantKeys.teamA)
        // Rate, concurrency, due, held back, in flight: one run held back, the first one done.
        let page = try await eventually("partner-a's run held back on the page") { () -> Page? in
            let page = try await self.call(.GET, "/ui/flows", cookie: cookie)
            XCTAssertEqual(page.status, 200)
            return page.text.contains("<td>1/h</td><td>-</td><td>1</td><td>1</td><td>0</td>") ? page : nil
        }
        XCTAssertTrue(page.text.contains("<table id=\"flows\">"), page.text)
        XCTAssertTrue(page.text.contains("<td>partner-a</td><td>team-a</td>"), page.text)
        XCTAssertFalse(page.text.contains("partner-b"), "another tenant's flow on the page")
        XCTAssertTrue(page.text.contains("href=\"/ui/flows\" class=\"here\""), "the nav names the page")

        let admin = try await call(.GET, "/ui/flows", cookie: try await signIn(TenantKeys.admin))
        XCTAssertTrue(admin.text.contains("<td>partner-b</td><td>team-b</td>"), admin.text)
        XCTAssertTrue(admin.text.contains("<td>partner-a</td>"), admin.text)
        let anonymous = try await call(.GET, "/ui/flows")
        XCTAssertEqual(anonymous.status, 303, "the page needs a key")
    }
}
