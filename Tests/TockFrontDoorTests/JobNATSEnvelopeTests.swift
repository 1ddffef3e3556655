import TockCore
import TockNATS
import XCTest

@testable import TockFrontDoor

final class JobNATSEnvelopeTests: XCTestCase {
    func request(_ bytes: Int, reply: String? = "_INBOX.1", headersReadable: Bool = true) -> NATSRequest {
        NATSRequest(
            subject: "tock.submit", data: Array(repeating: 0x20, count: bytes), headersReadable: headersReadable,
            replySubject: reply)
    }

    func testARequestWithinTheLimitPasses() throws {
        try JobNATSEnvelope.check(request(100), maxBytes: 100)
        try JobNATSEnvelope.check(request(0), maxBytes: 100)
    }

    func testRefusals() {
        let cases: [(String, NATSRequest, MessageRejection, Int?)] = [
            ("no reply subject", request(10, reply: nil), .noReply, nil),
            ("no reply subject, too large too", request(1000, reply: nil), .noReply, nil),
            ("unreadable headers", request(10, headersReadable: false), .headers, 400),
            ("one byte over", request(101), .tooLarge, 413),
        ]
        for (name, request, reason, status) in cases {
            XCTAssertThrowsError(try JobNATSEnvelope.check(request, maxBytes: 100), name) { error in
                let problem = error as? MessageProblem
                XCTAssertEqual(problem?.reason, reason, name)
                if let status, let problem { XCTAssertEqual(JobNATSEnvelope.failure(problem).status, status, name) }
            }
        }
    }

    func testParserRefusalsCountAsUndecodableOrInvalid() {
        XCTAssertEqual(JobNATSEnvelope.reason(FieldError(field: nil, code: "invalid_json", message: "")), .undecodable)
        XCTAssertEqual(
            JobNATSEnvelope.reason(FieldError(field: nil, code: "invalid_protobuf", message: "")), .undecodable)
        XCTAssertEqual(JobNATSEnvelope.reason(FieldError(field: "delay", code: "out_of_range", message: "")), .invalid)
        XCTAssertEqual(JobNATSEnvelope.reason(FieldError(field: "url", code: "missing_field", message: "")), .invalid)
    }

    func testTheSubmitLimitIsTheHTTPAPIsAndNeverOverflows() {
        var policy = SubmitPolicy()
        policy.maxBodyBytes = 256 * 1024
        XCTAssertEqual(policy.maxRequestBytes, 576 * 1024)
        policy.maxBodyBytes = .max
        XCTAssertEqual(policy.maxRequestBytes, .max)
    }
}
