import Foundation
import NIOHTTP1
import TockCore
import TockShard
import TockTestSupport
import XCTest

/// What used to take a node down, over real HTTP: each is a 4xx with a JSON error, nothing is stored, and the
/// node serves on. Also the listener's own limits: header size, idle connections, connections at once.
final class HostileInputTests: XCTestCase {
    var tock: TockHarness!

    override func setUp() async throws {
        tock = try await TockHarness.start(shard: false, executor: false)
        try await tock.startShard { configuration in
            configuration.httpLimits.idleTimeout = .seconds(1)
            configuration.httpLimits.maxConnections = 3
        }
    }

    override func tearDown() async throws {
        await tock?.shutdown()
    }

    private func assertServing(after why: String, file: StaticString = #filePath, line: UInt = #line) async throws {
        let health = try await tock.request(.GET, "/healthz")
        XCTAssertEqual(health.status, 200, "the node stopped serving after \(why)", file: file, line: line)
        let list = try await tock.request(.GET, "/v1/jobs")
        XCTAssertEqual(list.status, 200, "listing after \(why)", file: file, line: line)
        guard case .array(let jobs)? = list["jobs"] else {
            return XCTFail("no jobs list after \(why)", file: file, line: line)
        }
        XCTAssertEqual(jobs.count, 0, "\(why) stored a job", file: file, line: line)
    }

    /// The three requests of issue 16 that killed a node (the second after committing its job).
    func testTheRequestsThatTookNodesDownAre400sAndStoreNothing() async throws {
        let url = #""url": "http://127.0.0.1:9/x""#
        let delay = try await tock.submit(#"{\#(url), "delay": "100000d"}"#)
        XCTAssertEqual(delay.status, 400)
        XCTAssertEqual(delay["error"]?["field"]?.string, "delay")
        XCTAssertEqual(delay["error"]?["code"]?.string, "out_of_range")
        try await assertServing(after: "delay 100000d")

        let start = try await tock.submit(
            #"{\#(url), "schedule": {"cron": "* * * * *", "start": "1677-09-21T00:12:44Z"}}"#)
        XCTAssertEqual(start.status, 400)
        XCTAssertEqual(start["error"]?["field"]?.string, "schedule.start")
        try await assertServing(after: "schedule.start in 1677")

        let millis = try await tock.request(
            .POST, "/jobs",
            body: """
                {"type": "recurrente", "timestamp": 1733450000000, "cron_expression": "* * * * *",
                 "webhook_url": "http://127.0.0.1:9/x"}
                """)
        XCTAssertEqual(millis.status, 400)
        XCTAssertTrue(millis["error"]?.string?.contains("looks like milliseconds") == true, "\(millis.json)")
        try await assertServing(after: "a scheduled-db timestamp in milliseconds")
    }

    func testARunsPageOutsideItsBoundsIsA400NamingTheParameter() async throws {
        let created = try await tock.submit(#"{"url": "http://127.0.0.1:9/x", "delay": "1h"}"#)
        let id = try XCTUnwrap(created["id"]?.string)
        for (query, field) in [
            ("cursor=abc", "cursor"), ("cursor=-1", "cursor"), ("limit=0", "limit"),
            ("limit=1001", "limit"), ("limit=99999999999999999999", "limit"),
        ] {
            let reply = try await tock.request(.GET, "/v1/jobs/\(id)/runs?\(query)")
            XCTAssertEqual(reply.status, 400, query)
            XCTAssertEqual(reply["error"]?["field"]?.string, field, query)
        }
        let page = try await tock.request(.GET, "/v1/jobs/\(id)/runs?limit=1")
        XCTAssertEqual(page.status, 200)
        XCTAssertEqual(page["next_cursor"]?.string, "1", "a full page names where the next starts")
        let next = try await tock.request(.GET, "/v1/jobs/\(id)/runs?cursor=1&limit=1")
        guard case .array(let runs)? = next["runs"] else { return XCTFail("\(next.json)") }
        XCTAssertEqual(runs.count, 0)
        XCTAssertNil(next["next_cursor"])
    }

    func testHeadersOverTheLimitsAre431WithAJSONError() async throws {
        let limits = HTTPServerLimits()
        let many = (0...limits.maxHeaderFields).map { ("X-Filler-\($0)", "v") }
        let tooMany = try await tock.request(.GET, "/v1/jobs", headers: many)
        XCTAssertEqual(tooMany.status, 431)
        XCTAssertEqual(tooMany["error"]?["code"]?.string, "headers_too_large")

        let large = try await tock.request(
            .GET, "/healthz",
            headers: [("X-Large", String(repeating: "v", count: limits.maxHeaderBytes))])
        XCTAssertEqual(large.status, 431)
        XCTAssertEqual(large["error"]?["code"]?.string, "headers_too_large")

        let fine = try await tock.request(.GET, "/healthz", headers: [("X-Small", "v")])
        XCTAssertEqual(fine.status, 200)
    }

    /// Refused from its Content-Length alone: the body is never sent, yet the answer comes.
    func testAnOversizedBatchIsRefusedFromItsContentLength() async throws {
        let connection = try RawTCPConnection(port: tock.shardPort)
        try connection.write(
            "POST /v1/jobs:batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(64 * 1024 * 1024)\r\n\r\n")
        guard case .bytes(let answer) = connection.read(timeout: .seconds(5)) else {
            return XCTFail("no answer without the body")
        }
        XCTAssertTrue(answer.hasPrefix("HTTP/1.1 413"), answer)
        XCTAssertTrue(answer.contains(#""code":"too_large""#), answer)
    }

    func testAnIdleConnectionIsClosed() throws {
        let connection = try RawTCPConnection(port: tock.shardPort)
        try connection.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        guard case .bytes(let answer) = connection.read(timeout: .seconds(5)) else { return XCTFail("no answer") }
        XCTAssertTrue(answer.hasPrefix("HTTP/1.1 200"), answer)
        // Idle timeout 1 s: closed well within 10 s (a bounded wait, not a sleep).
        XCTAssertEqual(connection.read(timeout: .seconds(10)), .closed)
    }

    /// With 3 connections open, a 4th waits in the backlog, unanswered, until one of them closes.
    func testConnectionsBeyondTheLimitWaitUntilOneCloses() async throws {
        var open = try (0..<3).map { _ in try RawTCPConnection(port: tock.shardPort) }
        for connection in open {
            try connection.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            guard case .bytes(let answer) = connection.read(timeout: .seconds(5)) else { return XCTFail("no answer") }
            XCTAssertTrue(answer.hasPrefix("HTTP/1.1 200"), answer)
        }
        let waiting = try RawTCPConnection(port: tock.shardPort)
        try waiting.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        // The three idle ones are closed after 1 s; until then the fourth is not served.
        XCTAssertEqual(waiting.read(timeout: .milliseconds(300)), .timedOut)
        open.removeAll()
        guard case .bytes(let answer) = waiting.read(timeout: .seconds(10)) else {
            return XCTFail("the waiting connection was never served")
        }
        XCTAssertTrue(answer.hasPrefix("HTTP/1.1 200"), answer)
    }
}
