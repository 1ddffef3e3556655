import TockCore
import TockFrontDoor
import TockModel
import TockNATS
import TockTestSupport
import TockWire
import XCTest

/// Malformed requests on `tock.submit` and `tock.submit.batch`, sent to a real nats-server: each gets a JSON
/// error with a 4xx `Tock-Status` (naming the field where there is one), or, without a reply subject, is dropped
/// unserved; each is counted by reason; and a good job still goes through afterwards.
final class NATSSubmitRejectionTests: XCTestCase {
    var tock: TockHarness!

    override func setUp() async throws {
        tock = try await TockHarness.start()
        try await tock.startNATSAPI()
    }

    override func tearDown() async throws {
        await tock?.shutdown()
    }

    struct Case {
        var name: String
        var subject: String
        var payload: [UInt8]
        var headers: [(name: String, value: String)] = []
        var status: Int
        var code: String
        var field: String?
        var reason: MessageRejection
    }

    func testMalformedSubmitsAreAnsweredWithAnErrorAndCounted() async throws {
        let submit = JobNATSService.submitSubject
        let batch = JobNATSService.batchSubject
        let url = "\(tock.sink.baseURL)/never"
        let protobuf = [(name: "Content-Type", value: "application/protobuf")]
        // The harness's shard takes bodies up to 64 KiB: requests up to 192 KiB, well below the broker's 1 MB.
        let overLimit =
            Array(#"{"url": "\#(url)", "body": ""#.utf8) + Array(repeating: UInt8(ascii: "a"), count: 200 * 1024)
            + Array(#""}"#.utf8)
        let hostileSpec = JobSpec(
            id: "", priority: .normal,
            target: HTTPTarget(url: "unix:///var/run/docker.sock", method: "POST", headers: [], body: []),
            timeoutMs: 0, maxAttempts: 0, idempotencyKey: "", dueAtNs: 0)
        let cases: [Case] = [
            Case(
                name: "not JSON", subject: submit, payload: Array("nope".utf8), status: 400, code: "invalid_json",
                reason: .undecodable),
            Case(name: "empty", subject: submit, payload: [], status: 400, code: "invalid_json", reason: .undecodable),
            Case(
                name: "JSON but not an object", subject: submit, payload: Array("[1, 2]".utf8), status: 400,
                code: "invalid_json", reason: .undecodable),
            Case(
                name: "bytes that are not UTF-8", subject: submit, payload: [0xFF, 0xFE, 0x7B], status: 400,
                code: "invalid_json", reason: .undecodable),
            Case(
                name: "a url of the wrong type", subject: submit, payload: Array(#"{"url": 5}"#.utf8), status: 400,
                code: "invalid_field", field: "url", reason: .invalid),
            Case(
                name: "no url", subject: submit, payload: Array("{}".utf8), status: 400, code: "missing_field",
                field: "url", reason: .invalid),
            Case(
                name: "an unknown field", subject: submit, payload: Array(#"{"url": "\#(url)", "x": 1}"#.utf8),
                status: 400, code: "unknown_field", field: "x", reason: .invalid),
            Case(
                name: "headers with CR LF", subject: submit,
                payload: Array(#"{"url": "\#(url)", "headers": {"X-A": "1\r\nX-B: 2"}}"#.utf8), status: 400,
                code: "invalid_field", field: "headers", reason: .invalid),
            Case(
                name: "a unix socket url", subject: submit, payload: Array(#"{"url": "unix:///tmp/x.sock"}"#.utf8),
                status: 400, code: "invalid_field", field: "url", reason: .invalid),
            Case(
                name: "over the size limit", subject: submit, payload: overLimit, status: 413, code: "too_large",
                reason: .tooLarge),
            Case(
                name: "protobuf that does not decode", subject: submit, payload: Array("not protobuf".utf8),
                headers: protobuf, status: 400, code: "invalid_protobuf", reason: .undecodable),
            Case(
                name: "protobuf with a unix url", subject: submit, payload: hostileSpec.encoded(), headers: protobuf,
                status: 400, code: "invalid_field", field: "url", reason: .invalid),
            Case(
                name: "an absurd content type", subject: submit, payload: Array(#"{"url": "\#(url)"}"#.utf8),
                headers: [
                    (name: "Content-Type", value: "application/protobuf" + String(repeating: "x", count: 100_000))
                ],
                status: 400, code: "invalid_protobuf", reason: .undecodable),
            Case(
                name: "a batch that is not JSON", subject: batch, payload: Array("nope".utf8), status: 400,
                code: "invalid_json", reason: .undecodable),
            Case(
                name: "an empty batch request", subject: batch, payload: [], status: 400, code: "invalid_json",
                reason: .undecodable),
            Case(
                name: "jobs of the wrong type", subject: batch, payload: Array(#"{"jobs": 5}"#.utf8), status: 400,
                code: "missing_field", field: "jobs", reason: .invalid),
            Case(
                name: "no jobs", subject: batch, payload: Array(#"{"jobs": []}"#.utf8), status: 400,
                code: "invalid_field", field: "jobs", reason: .invalid),
            Case(
                name: "1,001 jobs", subject: batch,
                payload: Array(#"{"jobs": [\#(Array(repeating: "{}", count: 1001).joined(separator: ","))]}"#.utf8),
                status: 400, code: "invalid_field", field: "jobs", reason: .invalid),
            Case(
                name: "a batch with an unknown field", subject: batch, payload: Array(#"{"jobs": [{}], "x": 1}"#.utf8),
                status: 400, code: "unknown_field", field: "x", reason: .invalid),
        ]
        var expected: [String: Double] = [:]
        for item in cases {
            let answer = try await tock.ask(item.subject, item.payload, headers: item.headers)
            XCTAssertEqual(answer.status, item.status, "\(item.name): \(answer.json)")
            XCTAssertEqual(answer.code, item.code, item.name)
            XCTAssertEqual(answer.field, item.field, item.name)
            XCTAssertNotNil(answer.json["error"]?["message"]?.string, item.name)
            expected["\(item.subject) \(item.reason.rawValue)", default: 0] += 1
            XCTAssertEqual(
                try tock.shardRejections(item.subject, item.reason),
                expected["\(item.subject) \(item.reason.rawValue)"], item.name)
        }
        // A batch whose jobs are each bad is well-formed: each job gets its own error, nothing is refused.
        let perJob = try await tock.ask(batch, #"{"jobs": [{"url": 5}, {}]}"#)
        XCTAssertEqual(perJob.status, 200)
        XCTAssertEqual(try tock.shardRejections(batch, .invalid), expected["\(batch) invalid"])

        XCTAssertEqual(tock.sink.requests.count, 0, "no refused request became a job")
        try await tock.deliverAGoodJobOverNATS()
    }

    func testASubmitWithoutAReplySubjectIsDroppedUnservedAndCounted() async throws {
        let connection = try NATSConnection.connect(url: tock.nats.url)
        defer { connection.close() }
        for subject in [JobNATSService.submitSubject, JobNATSService.batchSubject] {
            let job = #"{"url": "\#(tock.sink.baseURL)/fire-and-forget"}"#
            let payload = subject == JobNATSService.batchSubject ? #"{"jobs": [\#(job)]}"# : job
            try connection.publish(subject: subject, data: Array(payload.utf8))
            _ = try await eventually("the request without a reply subject to be counted") {
                try tock.shardRejections(subject, .noReply) == 1 ? true : nil
            }
        }
        let node = try XCTUnwrap(tock.node)
        let submitted = try PrometheusText(parsing: node.metrics.registry.exposition())
            .sum("tock_shard_jobs_submitted_total")
        XCTAssertEqual(submitted, 0, "a request nobody can be told about is not served")
        try await tock.deliverAGoodJobOverNATS()
        XCTAssertEqual(tock.sink.requests.filter { $0.path == "/fire-and-forget" }.count, 0)
    }

    func testAnUnreadableHeaderBlockIsAnsweredAndCounted() async throws {
        let raw = try RawNATSClient(port: tock.nats.port)
        try raw.subscribe("_INBOX.raw.*", id: 1)
        let job = Array(#"{"url": "\#(tock.sink.baseURL)/never"}"#.utf8)
        for (index, block) in ["garbage\r\n\r\n", "NATS/1.0\r\nno colon here\r\n\r\n"].enumerated() {
            try raw.publish(
                JobNATSService.submitSubject, reply: "_INBOX.raw.\(index)", headerBlock: block, payload: job)
            let reply = try raw.nextMessage()
            let answer = try tock.answer(headerStatus: reply.header("Tock-Status"), payload: reply.payload)
            XCTAssertEqual(answer.status, 400, "\(block.debugDescription): \(answer.json)")
            XCTAssertEqual(answer.code, "invalid_headers")
            XCTAssertEqual(try tock.shardRejections(JobNATSService.submitSubject, .headers), Double(index + 1))
        }
        XCTAssertEqual(tock.sink.requests.count, 0)
        try await tock.deliverAGoodJobOverNATS()
    }

    func testAPayloadOverTheBrokersMaxPayloadNeverReachesTock() async throws {
        // nats-server's default max_payload is 1 MB: cnats refuses to send more, and the server closes a raw
        // connection that tries.
        let connection = try NATSConnection.connect(url: tock.nats.url)
        defer { connection.close() }
        let huge = [UInt8](repeating: UInt8(ascii: "a"), count: 2 << 20)
        do {
            _ = try await connection.request(subject: JobNATSService.submitSubject, data: huge, timeout: .seconds(5))
            XCTFail("a 2 MB request was sent")
        } catch {}
        let raw = try RawNATSClient(port: tock.nats.port)
        XCTAssertThrowsError(
            try {
                try raw.publish(
                    JobNATSService.submitSubject, reply: "_INBOX.raw.1", headerBlock: "NATS/1.0\r\n\r\n",
                    payload: huge)
                try raw.flush()
            }(), "the server refuses the payload")
        XCTAssertEqual(try tock.shardRejections(JobNATSService.submitSubject, .tooLarge), 0)
        try await tock.deliverAGoodJobOverNATS()
    }
}
