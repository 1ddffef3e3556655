import NIOHTTP1
import TockCore
import XCTest

/// Every kind of bad submit gets a 400 naming the field, and stores nothing.
final class BadInputTests: XCTestCase {
    var tock: TockHarness!

    override func setUp() async throws {
        tock = try await TockHarness.start(executor: false)
    }

    override func tearDown() async throws {
        await tock?.shutdown()
    }

    func testEachBadSubmitIsA400NamingTheFieldAndStoresNothing() async throws {
        let ok = "\"url\": \"http://127.0.0.1:9/x\""
        let oversized = String(repeating: "x", count: 64 * 1024 + 1)
        let cases: [(body: String, field: String?, why: String)] = [
            ("{not json", nil, "invalid JSON"),
            ("[1, 2]", nil, "not an object"),
            ("{}", "url", "missing url"),
            (#"{"url": ""}"#, "url", "empty url"),
            (#"{"url": "ftp://example.com/x"}"#, "url", "non-http url"),
            (#"{"url": "/relative"}"#, "url", "relative url"),
            (#"{"url": 42}"#, "url", "url not a string"),
            ("{\(ok), \"run_at\": \"tomorrow\"}", "run_at", "unparseable run_at"),
            ("{\(ok), \"delay\": \"soon\"}", "delay", "unparseable delay"),
            ("{\(ok), \"delay\": \"-5s\"}", "delay", "negative delay"),
            ("{\(ok), \"run_at\": \"2030-01-01T00:00:00Z\", \"delay\": \"1s\"}", "run_at", "both run_at and delay"),
            ("{\(ok), \"priority\": \"urgent\"}", "priority", "unknown priority"),
            ("{\(ok), \"body\": \"\(oversized)\"}", "body", "body over the limit"),
            ("{\(ok), \"max_attempts\": 0}", "max_attempts", "zero max_attempts"),
            ("{\(ok), \"max_attempts\": -3}", "max_attempts", "negative max_attempts"),
            ("{\(ok), \"max_attempts\": 1.5}", "max_attempts", "fractional max_attempts"),
            ("{\(ok), \"timeout\": \"forever\"}", "timeout", "unparseable timeout"),
            ("{\(ok), \"method\": \"BREW\"}", "method", "unknown method"),
            ("{\(ok), \"headers\": {\"Tock-Job-Id\": \"x\"}}", "headers", "reserved header"),
            ("{\(ok), \"headers\": [\"a\"]}", "headers", "headers not an object"),
            ("{\(ok), \"idempotency_key\": \"\"}", "idempotency_key", "empty idempotency key"),
            ("{\(ok), \"colour\": \"red\"}", "colour", "unknown field"),
        ]
        for (body, field, why) in cases {
            let reply = try await tock.submit(body)
            XCTAssertEqual(reply.status, 400, why)
            XCTAssertNotNil(reply["error"]?["message"]?.string, why)
            XCTAssertEqual(reply["error"]?["field"]?.string, field, why)
        }
        let counts = try await XCTUnwrap(tock.node).jobCounts()
        XCTAssertEqual(counts.values.reduce(0, +), 0, "a rejected submit stored a job: \(counts)")
    }

    func testBadClusterRequestsAre4xxNamingTheField() async throws {
        let cases: [(path: String, body: String, status: Int, field: String?)] = [
            ("/v1/cluster/transfer-leader", "{}", 400, "to"),
            ("/v1/cluster/transfer-leader", #"{"to": "n9"}"#, 400, "to"),
            ("/v1/cluster/transfer-leader", #"{"to": "n2", "force": true}"#, 400, "force"),
            ("/v1/cluster/nodes", #"{"node": "n4", "raft": "nowhere", "http": "127.0.0.1:1"}"#, 400, "raft"),
            ("/v1/cluster/nodes", #"{"node": "n4", "raft": "127.0.0.1:1"}"#, 400, "http"),
            ("/v1/cluster/nodes", #"{"raft": "127.0.0.1:1", "http": "127.0.0.1:2"}"#, 400, "node"),
            ("/v1/cluster/nodes", "[]", 400, nil),
            ("/v1/cluster/nodes", #"{"node": "n1", "raft": "127.0.0.1:1", "http": "127.0.0.1:2"}"#, 409, nil),
        ]
        for (path, body, status, field) in cases {
            let reply = try await tock.request(.POST, path, body: body)
            XCTAssertEqual(reply.status, status, "\(path) \(body): \(reply.json)")
            XCTAssertNotNil(reply["error"]?["message"]?.string, body)
            XCTAssertEqual(reply["error"]?["field"]?.string, field, body)
        }
        let removeLast = try await tock.request(.DELETE, "/v1/cluster/nodes/n1")
        XCTAssertEqual(removeLast.status, 409, "removing the only voter")
        let status = try await tock.request(.GET, "/v1/cluster")
        XCTAssertEqual(status["voters"], .array([.string("n1")]))
    }

    func testUnknownJobIs404() async throws {
        let get = try await tock.job("0-01JDZZZZZZZZZZZZZZZZZZZZZZ")
        XCTAssertEqual(get.status, 404)
        XCTAssertEqual(get["error"]?["code"]?.string, "not_found")
        let cancel = try await tock.request(.DELETE, "/v1/jobs/no-such-job")
        XCTAssertEqual(cancel.status, 404)
    }

    func testRequestLargerThanTheLimitIs413() async throws {
        let huge = String(repeating: "y", count: 300 * 1024)
        let reply = try await tock.submit(#"{"url": "http://127.0.0.1:9/x", "body": "\#(huge)"}"#)
        XCTAssertEqual(reply.status, 413)
        XCTAssertEqual(reply["error"]?["code"]?.string, "too_large")
    }
}
