import TockAuth
import XCTest

final class APIGuardTests: XCTestCase {
    let writer = "tock_writer", reader = "tock_reader", admin = "tock_admin"

    var guardian: APIGuard {
        APIGuard(
            keys: APIKeys(keys: [
                APIKey(name: "w", tenant: "a", scopes: [.jobsWrite, .jobsRead], sha256: APIKey.hash(writer)),
                APIKey(name: "r", tenant: "a", scopes: [.jobsRead], sha256: APIKey.hash(reader)),
                APIKey(name: "root", tenant: "ops", scopes: [.admin], sha256: APIKey.hash(admin)),
            ]))
    }

    func testWithoutKeysEveryCallerIsOpen() {
        XCTAssertEqual(try APIGuard(keys: nil).admit(authorization: nil, to: .scope(.admin)).get(), .open)
    }

    func testMissingMalformedOrUnknownKeysAreUnauthenticated() {
        for header in [nil, "", "Bearer", "Basic dXNlcjpwdw==", "Bearer tock_unknown", "bearer"] {
            XCTAssertEqual(
                guardian.admit(authorization: header, to: .scope(.jobsRead)).denial?.status, 401,
                "\(header ?? "nil")")
        }
    }

    func testAKeyLackingTheScopeIsForbidden() {
        XCTAssertEqual(
            guardian.admit(authorization: "Bearer \(reader)", to: .scope(.jobsWrite)).denial,
            .forbidden(key: "r", lacking: .jobsWrite))
        XCTAssertEqual(guardian.admit(authorization: "Bearer \(writer)", to: .scope(.admin)).denial?.status, 403)
    }

    func testAdminHasEveryScopeAndSeesEveryTenant() throws {
        let caller = try guardian.admit(authorization: "Bearer \(admin)", to: .scope(.jobsWrite)).get()
        XCTAssertTrue(caller.sees(tenant: "a"))
        XCTAssertTrue(caller.sees(tenant: ""))
        XCTAssertEqual(caller.credential, "Bearer \(admin)")
    }

    func testATenantsKeySeesOnlyItsTenant() throws {
        let caller = try guardian.admit(authorization: "bearer  \(reader)", to: .authenticated).get()
        XCTAssertEqual(caller.tenant, "a")
        XCTAssertTrue(caller.sees(tenant: "a"))
        XCTAssertFalse(caller.sees(tenant: "b"))
        XCTAssertFalse(caller.sees(tenant: ""))
    }

    func testOpenRoutesNeedNoKeyButSeeNothing() throws {
        let caller = try guardian.admit(authorization: nil, to: .open).get()
        XCTAssertEqual(caller, .nobody)
        XCTAssertFalse(caller.sees(tenant: ""))
    }
}

extension Result where Failure == Denial {
    var denial: Denial? {
        if case .failure(let denial) = self { denial } else { nil }
    }
}
