import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import TockCore
import TockFrontDoor
import TockModel
import TockWire
import XCTest

@testable import TockShard

/// scheduled-db's endpoints on a real HTTP server, against an in-memory gateway: what a scheduled-db client
/// sends, and what it gets back.
final class ScheduledDBRoutesTests: XCTestCase {
    /// 2024-12-24T00:26:40Z.
    static let nowSeconds: Int64 = 1_735_000_000
    let nowNs = nowSeconds * 1_000_000_000
    var gateway: InMemoryJobGateway!
    var baseURL = ""
    var server: Task<Void, any Error>?

    struct FixedClock: WallClock {
        let ns: Int64
        func nowNs() -> Int64 { ns }
    }

    struct Reply {
        var status: Int
        var headers: HTTPHeaders
        var text: String
        var json: JSONValue { (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .null }
    }

    func startServer(listLimit: Int = ScheduledDBRoutes.defaultListLimit) async throws {
        gateway = InMemoryJobGateway(nowNs: nowNs)
        let router = Router(context: TockRequestContext.self)
        ScheduledDBRoutes.register(
            on: router, gateway: gateway!, nodeID: "tock-test", clock: FixedClock(ns: nowNs),
            listLimit: listLimit)
        var logger = Logger(label: "test.scheduled-db")
        logger.logLevel = .critical
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: logger)
        server = Task { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        baseURL = "http://127.0.0.1:\(port)"
    }

    override func setUp() async throws {
        try await startServer()
    }

    override func tearDown() async throws {
        server?.cancel()
        _ = await server?.result
    }

    func request(_ method: HTTPMethod, _ path: String, body: String? = nil) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 24)
        return Reply(status: Int(response.status.code), headers: response.headers, text: String(buffer: bytes))
    }

    /// Submits a one-time job the way scheduled-db's README does and returns its id.
    func createJob(_ extra: String = "") async throws -> String {
        let reply = try await request(
            .POST, "/jobs",
            body: """
                {"type": "unico", "timestamp": "2024-12-25T10:00:00Z", "webhook_url": "https://example.com/webhook",
                 "payload": {"message": "Merry Christmas!"}\(extra)}
                """)
        XCTAssertEqual(reply.status, 200, reply.text)
        return try XCTUnwrap(reply.json["id"]?.string)
    }

    func testCreateAnswersTheJobInScheduledDBsShapeAndSubmitsAScheduledDBFormatJob() async throws {
        let reply = try await request(
            .POST, "/jobs",
            body: """
                {"type": "unico", "timestamp": "2024-12-25T10:00:00Z", "webhook_url": "https://example.com/webhook",
                 "payload": {"message": "Merry Christmas!"}}
                """)
        XCTAssertEqual(reply.status, 200)
        XCTAssertEqual(reply.headers.first(name: "Content-Type"), "application/json")
        XCTAssertEqual(
            reply.text,
            """
            {"created_at":1735000000,"id":"0-1","payload":{"message":"Merry Christmas!"},"timestamp":1735120800,\
            "type":"unico","webhook_url":"https://example.com/webhook"}

            """)
        let submitted = try XCTUnwrap(gateway.submitted.first)
        XCTAssertEqual(submitted.webhookFormat, .scheduledDB)
        XCTAssertEqual(submitted.dueAtNs, 1_735_120_800 * 1_000_000_000)

        let read = try await request(.GET, "/jobs/0-1")
        XCTAssertEqual(read.status, 200)
        XCTAssertEqual(read.text, reply.text)
    }

    /// The second answer is the first job, not an echo of the second request: its time and payload are the first's.
    func testASecondCreateWithTheSameIDReturnsTheFirstJob() async throws {
        let first = try await request(
            .POST, "/jobs",
            body: """
                {"type": "unico", "timestamp": "2024-12-25T10:00:00Z", "webhook_url": "https://example.com/webhook",
                 "payload": {"message": "Merry Christmas!"}, "id": "report-2024-12-25"}
                """)
        let second = try await request(
            .POST, "/jobs",
            body: """
                {"type": "unico", "timestamp": "2025-01-01T00:00:00Z", "webhook_url": "https://example.com/other",
                 "payload": {"message": "Happy new year!"}, "id": "report-2024-12-25"}
                """)
        XCTAssertEqual(first.status, 200, first.text)
        XCTAssertEqual(second.status, 200, second.text)
        XCTAssertEqual(second.text, first.text)
        XCTAssertEqual(second.json["payload"]?["message"]?.string, "Merry Christmas!")
        XCTAssertEqual(gateway.submitted.map(\.idempotencyKey), ["report-2024-12-25", "report-2024-12-25"])
        let list = try await request(.GET, "/jobs?status=pending")
        XCTAssertEqual(list.status, 200, list.text)
        XCTAssertEqual(list.text.components(separatedBy: "report-2024-12-25").count - 1, 1, "one job: \(list.text)")
    }

    /// A path segment arrives percent-encoded; the id it names is the decoded one, as a Go server reads it.
    func testAnOwnIDThatNeedsPercentEncodingIsFoundByIt() async throws {
        let id = try await createJob(#", "id": "order 42/ä""#)
        XCTAssertEqual(id, "order 42/ä")
        let encoded = "order%2042%2F%C3%A4"
        for path in ["/jobs/\(encoded)", "/jobs/\(encoded)/status", "/jobs/\(encoded)/executions"] {
            let reply = try await request(.GET, path)
            XCTAssertEqual(reply.status, 200, "\(path): \(reply.text)")
        }
        let cancel = try await request(.POST, "/jobs/\(encoded)/cancel")
        XCTAssertEqual(cancel.status, 200, cancel.text)
        XCTAssertEqual(cancel.json["job_id"]?.string, id)
    }

    func testBadInputIs400WithScheduledDBsErrorBodyAndSubmitsNothing() async throws {
        let cases = [
            ("{", "Invalid request body"),
            (
                #"{"type": "unico", "webhook_url": "http://h/p"}"#,
                "Job validation failed: timestamp is required for unico jobs"
            ),
            (
                #"{"type": "recurrente", "cron_expression": "0 0 * *", "webhook_url": "http://h/p"}"#,
                "Job validation failed: invalid cron expression: expected exactly 5 fields, found 4: [0 0 * *]"
            ),
        ]
        for (body, message) in cases {
            let reply = try await request(.POST, "/jobs", body: body)
            XCTAssertEqual(reply.status, 400, body)
            XCTAssertEqual(reply.json, .object(["error": .string(message)]), body)
        }
        XCTAssertTrue(gateway.submitted.isEmpty)
    }

    func testStatusAndExecutionsFollowTheJobThroughItsLife() async throws {
        let id = try await createJob()
        var status = try await request(.GET, "/jobs/\(id)/status")
        XCTAssertEqual(status.status, 200)
        XCTAssertEqual(
            status.text,
            """
            {"attempt_count":0,"attempts":[],"created_at":1735000000,"job_id":"\(id)","status":"pending"}

            """)
        let executions = try await request(.GET, "/jobs/\(id)/executions")
        XCTAssertEqual(executions.text, #"{"attempts":[],"job_id":"\#(id)"}"# + "\n")

        gateway.update(id) {
            $0.state = .published
            $0.publishedAtNs = 1_735_120_800_100_000_000
        }
        status = try await request(.GET, "/jobs/\(id)/status")
        XCTAssertEqual(status.json["status"]?.string, "in_progress")
        XCTAssertEqual(status.json["first_attempt_at"]?.int, 1_735_120_800)

        gateway.update(id) {
            $0.state = .succeeded
            $0.attempts = 2
            $0.lastStatus = 204
            $0.executorID = "executor-1"
            $0.finishedAtNs = 1_735_120_803_000_000_000
        }
        status = try await request(.GET, "/jobs/\(id)/status")
        XCTAssertEqual(
            status.text,
            """
            {"attempt_count":2,"attempts":[{"attempt_num":2,"end_time":1735120803,"http_status":204,\
            "node_id":"executor-1","start_time":1735120800,"status":"completed"}],"completed_at":1735120803,\
            "created_at":1735000000,"first_attempt_at":1735120800,"job_id":"\(id)","status":"completed"}

            """)
        let finished = try await request(.GET, "/jobs/\(id)/executions")
        XCTAssertEqual(finished.json["attempts"], status.json["attempts"])
    }

    func testAFailedJobShowsItsLastError() async throws {
        let id = try await createJob()
        gateway.update(id) {
            $0.state = .failed
            $0.publishedAtNs = 1_735_120_800_000_000_000
            $0.attempts = 5
            $0.lastStatus = 503
            $0.lastError = "HTTP 503: busy"
            $0.finishedAtNs = 1_735_120_860_000_000_000
        }
        let status = try await request(.GET, "/jobs/\(id)/status")
        XCTAssertEqual(status.json["status"]?.string, "failed")
        let attempt = try XCTUnwrap(status.json["attempts"]?.array?.first)
        XCTAssertEqual(attempt["status"]?.string, "failed")
        XCTAssertEqual(attempt["attempt_num"]?.int, 5)
        XCTAssertEqual(attempt["error_message"]?.string, "HTTP 503: busy")
        XCTAssertEqual(attempt["node_id"]?.string, "")
    }

    func testCancelAnswersLikeScheduledDBAndTheJobStaysReadable() async throws {
        let id = try await createJob()
        let cancel = try await request(.POST, "/jobs/\(id)/cancel", body: #"{"reason": "no longer needed"}"#)
        XCTAssertEqual(cancel.status, 200)
        XCTAssertEqual(cancel.text, #"{"cancelled_at":1735000000,"job_id":"\#(id)","status":"cancelled"}"# + "\n")
        let status = try await request(.GET, "/jobs/\(id)/status")
        XCTAssertEqual(status.json["status"]?.string, "cancelled")
        XCTAssertEqual(status.json["cancelled_at"]?.int, 1_735_000_000)
        XCTAssertEqual(status.json["completed_at"]?.int, 1_735_000_000)
        let again = try await request(.POST, "/jobs/\(id)/cancel")
        XCTAssertEqual(again.status, 200, "cancelling twice is not an error")
    }

    func testCancellingAJobThatMayBeRunningSaysSo() async throws {
        let id = try await createJob()
        gateway.update(id) {
            $0.state = .published
            $0.publishedAtNs = 1_735_120_800_000_000_000
        }
        let cancel = try await request(.POST, "/jobs/\(id)/cancel")
        XCTAssertEqual(cancel.json["message"]?.string, "Job was in progress, cancellation attempted")
    }

    func testAFinishedJobCannotBeCancelledButDeletingItSucceeds() async throws {
        let id = try await createJob()
        gateway.update(id) { $0.state = .succeeded }
        let cancel = try await request(.POST, "/jobs/\(id)/cancel")
        XCTAssertEqual(cancel.status, 409)
        XCTAssertEqual(cancel.json, .object(["error": .string("Failed to cancel job: job \(id) already succeeded")]))

        let delete = try await request(.DELETE, "/jobs/\(id)")
        XCTAssertEqual(delete.status, 204)
        XCTAssertEqual(delete.text, "")
        let read = try await request(.GET, "/jobs/\(id)/status")
        XCTAssertEqual(read.json["status"]?.string, "completed", "Tock never deletes; the outcome stays readable")
    }

    func testDeleteCancelsAScheduledJob() async throws {
        let id = try await createJob()
        let delete = try await request(.DELETE, "/jobs/\(id)")
        XCTAssertEqual(delete.status, 204)
        let status = try await request(.GET, "/jobs/\(id)/status")
        XCTAssertEqual(status.json["status"]?.string, "cancelled")
    }

    func testAnUnknownJobIs404JobNotFoundEverywhere() async throws {
        for (method, path) in [
            (HTTPMethod.GET, "/jobs/nope"), (.GET, "/jobs/nope/status"),
            (.GET, "/jobs/nope/executions"), (.POST, "/jobs/nope/cancel"), (.DELETE, "/jobs/nope"),
        ] {
            let reply = try await request(method, path)
            XCTAssertEqual(reply.status, 404, "\(method) \(path)")
            XCTAssertEqual(reply.json, .object(["error": .string("Job not found")]), "\(method) \(path)")
        }
    }

    func testAnUnavailableShardIs503WithRetryAfter() async throws {
        gateway.failEveryCall(
            with: JobFailure(
                status: 503, code: "no_leader", message: "no leader elected",
                retryAfterSeconds: 1))
        let reply = try await request(.GET, "/jobs/0-1")
        XCTAssertEqual(reply.status, 503)
        XCTAssertEqual(reply.headers.first(name: "Retry-After"), "1")
        XCTAssertEqual(reply.json, .object(["error": .string("no leader elected")]))
    }

    func testListingByStatusPagesThroughEveryJobOfThatState() async throws {
        for _ in 0..<1_200 {
            _ = await gateway.submit(
                JobSpec(
                    id: "", priority: .normal,
                    target: HTTPTarget(url: "http://h/p", method: "POST", headers: [], body: []),
                    timeoutMs: 1000, maxAttempts: 1, idempotencyKey: "", dueAtNs: 0))
        }
        gateway.update("0-7") { $0.state = .succeeded }
        let pending = try await request(.GET, "/jobs?status=pending")
        XCTAssertEqual(pending.status, 200)
        XCTAssertEqual(pending.json["total"]?.int, 1_199)
        XCTAssertEqual(pending.json["jobs"]?.array?.count, 1_199)
        XCTAssertNil(pending.headers.first(name: "Tock-List-Truncated"))
        XCTAssertEqual(gateway.listQueries.map(\.state), [.scheduled, .scheduled, .scheduled])

        let completed = try await request(.GET, "/jobs?status=completed")
        XCTAssertEqual(completed.json["total"]?.int, 1)
        XCTAssertEqual(completed.json["jobs"]?.array?.first?["job_id"]?.string, "0-7")
        XCTAssertEqual(completed.json["jobs"]?.array?.first?["status"]?.string, "completed")
    }

    func testListingChecksTheStatusLikeScheduledDB() async throws {
        let missing = try await request(.GET, "/jobs")
        XCTAssertEqual(missing.status, 400)
        XCTAssertEqual(missing.json, .object(["error": .string("status query parameter is required")]))
        let bogus = try await request(.GET, "/jobs?status=done")
        XCTAssertEqual(bogus.status, 400)
        XCTAssertEqual(bogus.json, .object(["error": .string("invalid status parameter")]))
        let timeout = try await request(.GET, "/jobs?status=timeout")
        XCTAssertEqual(timeout.text, #"{"jobs":[],"total":0}"# + "\n")
        XCTAssertTrue(gateway.listQueries.isEmpty, "no Tock job is ever timed out, so nothing is asked")
    }

    func testAListLongerThanTheLimitIsCutAndSaysSo() async throws {
        server?.cancel()
        _ = await server?.result
        try await startServer(listLimit: 3)
        for _ in 0..<5 { _ = try await createJob() }
        let reply = try await request(.GET, "/jobs?status=pending")
        XCTAssertEqual(reply.json["total"]?.int, 3)
        XCTAssertEqual(reply.headers.first(name: "Tock-List-Truncated"), "true")
        XCTAssertEqual(gateway.listQueries.map(\.limit), [3])
    }

    func testHealthAnswersAsScheduledDBsLeader() async throws {
        let reply = try await request(.GET, "/health")
        XCTAssertEqual(reply.status, 200)
        XCTAssertEqual(reply.text, #"{"node_id":"tock-test","role":"leader","status":"ok"}"# + "\n")
    }
}

extension JSONValue {
    subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    var int: Int64? {
        if case .int(let i) = self { return i }
        return nil
    }

    var array: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }
}
