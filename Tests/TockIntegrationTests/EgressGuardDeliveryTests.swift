import Foundation
import TockCore
import TockExecutor
import TockTestSupport
import XCTest

/// The SSRF guard with a real executor, shard and sink: a target on loopback is refused by default (at once, no
/// retry, counted, never called) and called once allowed; answers are read only as far as the excerpt.
final class EgressGuardDeliveryTests: XCTestCase {
    var tock: TockHarness?

    override func tearDown() async throws {
        await tock?.shutdown()
    }

    private func refusals(_ reason: String) throws -> Double? {
        let executor = try XCTUnwrap(tock?.executor)
        return try PrometheusText(parsing: executor.prometheusExposition())
            .value("tock_executor_egress_refused_total", ["reason": reason])
    }

    func testLoopbackIsRefusedByDefaultWithoutARetryAndCounted() async throws {
        let tock = try await TockHarness.start { $0.allowEgress = EgressPolicy() }
        self.tock = tock
        XCTAssertEqual(try refusals("loopback"), 0, "exported from 0")

        let literal = try await tock.submit(#"{"url": "\#(tock.sink.baseURL)/ok", "max_attempts": 5}"#)
        let literalID = try XCTUnwrap(literal["id"]?.string)
        let named = try await tock.submit(#"{"url": "http://localhost:\#(tock.sink.port)/ok", "max_attempts": 5}"#)
        let namedID = try XCTUnwrap(named["id"]?.string)

        let refused = try await tock.waitForState(literalID, "failed")
        XCTAssertEqual(refused["attempts"]?.int, 1, "a refused target is not retried")
        XCTAssertEqual(
            refused["last_error"]?.string,
            "egress refused: 127.0.0.1 is loopback (allow it in the config's egress section)")
        let byName = try await tock.waitForState(namedID, "failed")
        XCTAssertEqual(byName["attempts"]?.int, 1)
        let error = try XCTUnwrap(byName["last_error"]?.string)
        XCTAssertTrue(error.hasPrefix("egress refused: localhost resolves to "), error)
        XCTAssertTrue(error.hasSuffix("which is loopback (allow it in the config's egress section)"), error)

        XCTAssertEqual(try refusals("loopback"), 2)
        XCTAssertEqual(tock.sink.requests.count, 0, "the sink was called")
        XCTAssertEqual(tock.executor?.stats.failed, 2)
        XCTAssertEqual(tock.executor?.stats.retried, 0)
    }

    func testAnAllowedTargetIsCalledAndKeepsItsHostHeader() async throws {
        let tock = try await TockHarness.start { $0.allowEgress = try! Self.policy(["127.0.0.0/8", "::1"]) }
        self.tock = tock
        let created = try await tock.submit(#"{"url": "http://localhost:\#(tock.sink.port)/ok?x=1"}"#)
        let id = try XCTUnwrap(created["id"]?.string)
        _ = try await tock.waitForState(id, "succeeded")
        let request = try XCTUnwrap(tock.sink.requests(forJob: id).first)
        XCTAssertEqual(request.headers["host"], "localhost:\(tock.sink.port)", "the Host header keeps the name")
        XCTAssertEqual(try refusals("loopback"), 0)
    }

    func testARedirectIsNotFollowed() async throws {
        let tock = try await TockHarness.start()
        self.tock = tock
        let created = try await tock.submit(#"{"url": "\#(tock.sink.baseURL)/redirect", "max_attempts": 5}"#)
        let id = try XCTUnwrap(created["id"]?.string)
        let done = try await tock.waitForState(id, "failed")
        XCTAssertEqual(done["last_status"]?.int, 302)
        XCTAssertEqual(done["attempts"]?.int, 1)
        XCTAssertEqual(tock.sink.requests.map(\.path), ["/redirect"], "the executor followed the Location")
    }

    /// A successful answer whose body never ends, and an 8 MB hostile one, end the attempt promptly; the excerpt
    /// is bounded and printable.
    func testHugeAndEndlessAnswersAreReadOnlyAsFarAsTheExcerpt() async throws {
        let tock = try await TockHarness.start()
        self.tock = tock
        let endless = try await tock.submit(#"{"url": "\#(tock.sink.baseURL)/endless/200", "timeout": "15m"}"#)
        let hostile = try await tock.submit(
            #"{"url": "\#(tock.sink.baseURL)/hostile/400", "timeout": "15m", "max_attempts": 1}"#)
        let started = ContinuousClock.now
        _ = try await tock.waitForState(try XCTUnwrap(endless["id"]?.string), "succeeded", within: .seconds(30))
        let failed = try await tock.waitForState(try XCTUnwrap(hostile["id"]?.string), "failed", within: .seconds(30))
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(10))
        let error = try XCTUnwrap(failed["last_error"]?.string)
        XCTAssertTrue(error.hasPrefix(#"HTTP 400: line one\nforged: log\r\u{1b}[31m\u{202e}"#), error)
        XCTAssertTrue(error.contains("\u{fffd}"), error)
        XCTAssertFalse(error.contains("\n") || error.contains("\u{1b}") || error.contains("\u{0}"), error)
        XCTAssertLessThanOrEqual(error.utf8.count, 600)
    }

    func testTheCommandLineValidatesAndShowsTheAllowList() throws {
        let bad = try TockBinary.run(["executor", "--allow-egress", "10.1.2.3/16"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(
            bad.stderr.contains("--allow-egress: \"10.1.2.3/16\" has bits set past its prefix length"),
            bad.stderr)
        let config = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tock-egress-\(UUID().uuidString).yaml")
        try Data(#"egress: {allow: ["10.1.0.0/16", Hooks.Internal.Example]}"#.utf8).write(to: config)
        defer { try? FileManager.default.removeItem(at: config) }
        let checked = try TockBinary.run(["config", "check", config.path])
        XCTAssertEqual(checked.status, 0, checked.stderr)
        XCTAssertTrue(
            checked.stdout.contains("egress: global addresses and 10.1.0.0/16, hooks.internal.example"),
            checked.stdout)
    }

    private static func policy(_ entries: [String]) throws -> EgressPolicy {
        var policy = EgressPolicy()
        for entry in entries { try policy.allow(entry) }
        return policy
    }
}
