import TockCore
import TockFrontDoor
import TockNATS
import TockTestSupport
import XCTest

/// Malformed requests on `tock.get` and `tock.cancel`, sent to a real nats-server: a 4xx JSON error naming `id`
/// (or a 404 for a well-formed id of no job, which is not a refusal), counted by reason; the job API goes on.
final class NATSJobIDRejectionTests: XCTestCase {
    var tock: TockHarness!

    override func setUp() async throws {
        tock = try await TockHarness.start()
        try await tock.startNATSAPI()
    }

    override func tearDown() async throws {
        await tock?.shutdown()
    }

    func testMalformedIdsAreAnsweredWithAnErrorAndCounted() async throws {
        let cases: [(String, [UInt8], Int, String, String?, MessageRejection)] = [
            ("empty", [], 400, "missing_field", "id", .invalid),
            ("blank", Array("  \r\n".utf8), 400, "missing_field", "id", .invalid),
            ("not JSON", Array("{nope".utf8), 400, "invalid_json", nil, .undecodable),
            ("an id of the wrong type", Array(#"{"id": 12}"#.utf8), 400, "invalid_field", "id", .invalid),
            ("an object without id", Array(#"{"job": "x"}"#.utf8), 400, "unknown_field", "job", .invalid),
            ("not UTF-8", [0xC3, 0x28], 400, "invalid_field", "id", .invalid),
            ("a NUL", Array("0-\0".utf8), 400, "invalid_field", "id", .invalid),
            ("CR LF inside", Array("0-a\r\nHost: x".utf8), 400, "invalid_field", "id", .invalid),
            ("over 1 KiB", Array(repeating: UInt8(ascii: "0"), count: 1025), 413, "too_large", nil, .tooLarge),
        ]
        for subject in [JobNATSService.getSubject, JobNATSService.cancelSubject] {
            var expected: [MessageRejection: Double] = [:]
            for (name, payload, status, code, field, reason) in cases {
                let answer = try await tock.ask(subject, payload)
                XCTAssertEqual(answer.status, status, "\(subject) \(name): \(answer.json)")
                XCTAssertEqual(answer.code, code, "\(subject) \(name)")
                XCTAssertEqual(answer.field, field, "\(subject) \(name)")
                expected[reason, default: 0] += 1
                XCTAssertEqual(try tock.shardRejections(subject, reason), expected[reason], "\(subject) \(name)")
            }
            // Well-formed ids of no job: the shard's 404, not a refusal.
            for id in ["0-01M83VB0PYJMTQ8CWMCAXSQF5W", "99999999999-01M83VB0PYJMTQ8CWMCAXSQF5W", "nope"] {
                let answer = try await tock.ask(subject, id)
                XCTAssertEqual(answer.status, 404, "\(subject) \(id): \(answer.json)")
                XCTAssertEqual(answer.field, "id")
            }
            XCTAssertEqual(try tock.shardRejections(subject, .invalid), expected[.invalid])
        }
        try await tock.deliverAGoodJobOverNATS()
    }

    func testRequestsWithoutReplyOrWithUnreadableHeadersAreCounted() async throws {
        let connection = try NATSConnection.connect(url: tock.nats.url)
        defer { connection.close() }
        let raw = try RawNATSClient(port: tock.nats.port)
        try raw.subscribe("_INBOX.raw.*", id: 1)
        for subject in [JobNATSService.getSubject, JobNATSService.cancelSubject] {
            try connection.publish(subject: subject, data: Array("0-01M83VB0PYJMTQ8CWMCAXSQF5W".utf8))
            _ = try await eventually("\(subject) without a reply subject to be counted") {
                try tock.shardRejections(subject, .noReply) == 1 ? true : nil
            }
            try raw.publish(
                subject, reply: "_INBOX.raw.1", headerBlock: "NATS/9\r\n\r\n",
                payload: Array("0-01M83VB0PYJMTQ8CWMCAXSQF5W".utf8))
            let reply = try raw.nextMessage()
            let answer = try tock.answer(headerStatus: reply.header("Tock-Status"), payload: reply.payload)
            XCTAssertEqual(answer.status, 400, "\(answer.json)")
            XCTAssertEqual(answer.code, "invalid_headers")
            XCTAssertEqual(try tock.shardRejections(subject, .headers), 1)
        }

        // A cancel of a real job over NATS still works afterwards.
        let created = try await tock.ask(
            JobNATSService.submitSubject,
            #"{"url": "\#(tock.sink.baseURL)/later", "delay": "1h"}"#)
        let id = try XCTUnwrap(created.json["id"]?.string)
        let cancelled = try await tock.ask(JobNATSService.cancelSubject, #"{"id": "\#(id)"}"#)
        XCTAssertEqual(cancelled.status, 200, "\(cancelled.json)")
        XCTAssertEqual(cancelled.json["state"]?.string, "cancelled")
    }
}
