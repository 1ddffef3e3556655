import TockCore
import XCTest

@testable import TockExecutor

/// Which address a webhook goes to, with a stub resolver (the real one is exercised by the integration tests).
final class EgressGuardTests: XCTestCase {
    private struct NoSuchHost: Error, CustomStringConvertible {
        var description: String { "cannot resolve: no such host" }
    }

    private func check(
        _ url: String, policy: EgressPolicy = EgressPolicy(),
        dns: [String: [String]] = [:]
    ) async -> (EgressGuard.Decision, [String]) {
        let asked = LockedNames()
        let decision = await EgressGuard.check(url, policy: policy) { host in
            asked.append(host)
            guard let answers = dns[host] else { throw NoSuchHost() }
            return answers.map { IPAddress($0)! }
        }
        return (decision, asked.names)
    }

    private func refusal(_ decision: EgressGuard.Decision) -> EgressGuard.Refusal? {
        if case .refused(let refusal) = decision { return refusal }
        return nil
    }

    func testLiteralsAreCheckedWithoutResolving() async {
        let (metadata, asked) = await check("http://169.254.169.254/latest/meta-data/")
        XCTAssertEqual(
            refusal(metadata),
            EgressGuard.Refusal(
                reason: "link_local",
                message: "egress refused: 169.254.169.254 is link-local (allow it in the config's egress section)"))
        XCTAssertEqual(asked, [])
        for (url, reason) in [
            ("http://127.0.0.1:7070/v1/jobs", "loopback"), ("http://[::1]:8222/", "loopback"),
            ("https://[::ffff:127.0.0.1]/", "loopback"), ("http://[fe80::1]/", "link_local"),
            ("http://10.0.0.1/", "private"), ("http://100.64.1.1/", "carrier_grade_nat"),
            ("http://[fd00::1]/", "unique_local"), ("http://0.0.0.0:7070/", "unspecified"),
            ("http://224.0.0.1/", "multicast"), ("http://255.255.255.255/", "broadcast"),
        ] {
            let (decision, _) = await check(url)
            XCTAssertEqual(refusal(decision)?.reason, reason, url)
        }
        let (global, _) = await check("http://93.184.216.34/hook")
        XCTAssertEqual(global, .send(url: "http://93.184.216.34/hook", host: nil))
    }

    func testEveryResolvedAddressIsChecked() async {
        let dns = [
            "localhost": ["127.0.0.1", "::1"], "mixed.example": ["93.184.216.34", "10.0.0.7"],
            "good.example": ["93.184.216.34", "2606:2800::1"],
        ]
        let (local, asked) = await check("http://localhost:9000/x", dns: dns)
        XCTAssertEqual(asked, ["localhost"])
        XCTAssertEqual(
            refusal(local)?.message,
            "egress refused: localhost resolves to 127.0.0.1, which is loopback "
                + "(allow it in the config's egress section)")
        let (mixed, _) = await check("https://mixed.example/x", dns: dns)
        XCTAssertEqual(refusal(mixed)?.reason, "private", "one internal address is enough to refuse")
        // Lenient spellings are names to the guard, and resolve (as getaddrinfo would) to what is checked.
        let (decimal, _) = await check("http://2130706433/", dns: ["2130706433": ["127.0.0.1"]])
        XCTAssertEqual(refusal(decimal)?.reason, "loopback")
    }

    func testPlainHTTPIsPinnedToTheCheckedAddress() async {
        let dns = ["good.example": ["93.184.216.34", "2606:2800::1"], "six.example": ["2606:2800::1"]]
        let (pinned, _) = await check("http://good.example:8080/hook?a=1&b=%20", dns: dns)
        XCTAssertEqual(pinned, .send(url: "http://93.184.216.34:8080/hook?a=1&b=%20", host: "good.example:8080"))
        let (six, _) = await check("http://six.example/hook", dns: dns)
        XCTAssertEqual(six, .send(url: "http://[2606:2800::1]/hook", host: "six.example"))
        // TLS needs the name for SNI and certificate verification; the name is still resolved and checked.
        let (tls, asked) = await check("https://good.example/hook", dns: dns)
        XCTAssertEqual(tls, .send(url: "https://good.example/hook", host: nil))
        XCTAssertEqual(asked, ["good.example"])
    }

    func testTheAllowList() async throws {
        var policy = EgressPolicy()
        try policy.allow("127.0.0.0/8")
        try policy.allow("hooks.internal.example")
        let dns = ["localhost": ["127.0.0.1"], "hooks.internal.example": ["10.9.9.9"]]
        let (local, _) = await check("http://localhost:9000/x", policy: policy, dns: dns)
        XCTAssertEqual(local, .send(url: "http://127.0.0.1:9000/x", host: "localhost:9000"))
        let (literal, _) = await check("http://127.0.0.1:9000/x", policy: policy)
        XCTAssertEqual(literal, .send(url: "http://127.0.0.1:9000/x", host: nil))
        let (byName, asked) = await check("https://hooks.internal.example/x", policy: policy, dns: dns)
        XCTAssertEqual(byName, .send(url: "https://hooks.internal.example/x", host: nil))
        XCTAssertEqual(asked, [], "an allowed host is not resolved")
        let (v6, _) = await check("http://[::1]:9000/x", policy: policy)
        XCTAssertEqual(refusal(v6)?.reason, "loopback", "127.0.0.0/8 does not allow ::1")
    }

    func testOtherSchemesAndUnresolvableNames() async {
        for url in [
            "ftp://example.com/", "unix:///var/run/docker.sock", "http+unix://%2Fvar%2Frun%2Fx/", "file:///etc/passwd",
            "http:///nohost", "not a url", "http://a%00.127.0.0.1/",
        ] {
            let (decision, _) = await check(url)
            XCTAssertEqual(refusal(decision)?.reason, "invalid_url", url)
        }
        let (missing, _) = await check("http://nowhere.invalid/")
        XCTAssertEqual(missing, .unresolvable("cannot resolve: no such host"))
    }
}

private final class LockedNames: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func append(_ name: String) { lock.withLock { stored.append(name) } }
    var names: [String] { lock.withLock { stored } }
}
