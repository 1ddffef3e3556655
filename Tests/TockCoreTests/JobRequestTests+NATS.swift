import TockCore
import TockModel
import XCTest

/// `"nats": {"subject", "headers", "body"}` in place of `url`: a job whose runs publish a NATS message. What a job
/// may publish is held to `NATSTargetRules`, for JSON and protobuf submits alike, errors naming the field.
final class JobRequestNATSTests: XCTestCase {
    let now: Int64 = 1_800_000_000_000_000_000

    private func parse(_ json: String) throws(FieldError) -> JobSpec {
        try JobRequest.parse(json: Array(json.utf8), nowNs: now)
    }

    private func refusal(_ json: String) -> FieldError? {
        do {
            _ = try parse(json)
            return nil
        } catch {
            return error
        }
    }

    func testANATSJobKeepsItsSubjectHeadersAndBody() throws {
        let spec = try parse(
            #"""
            {"nats": {"subject": "orders.expire", "headers": {"X-Order": "42"}, "body": {"order": 42}},
             "delay": "1h", "max_attempts": 3}
            """#)
        XCTAssertEqual(
            spec.destination,
            .nats(
                NATSTarget(
                    subject: "orders.expire",
                    headers: [
                        Header(name: "X-Order", value: "42"), Header(name: "Content-Type", value: "application/json"),
                    ],
                    body: Array(#"{"order":42}"#.utf8))))
        XCTAssertEqual(spec.target, .empty)
        XCTAssertEqual(spec.dueAtNs, now + 3_600_000_000_000)
        XCTAssertEqual(spec.maxAttempts, 3)
        let plain = try parse(#"{"nats": {"subject": "a.b", "body": "text"}}"#)
        XCTAssertEqual(plain.destination, .nats(NATSTarget(subject: "a.b", headers: [], body: Array("text".utf8))))
        XCTAssertEqual(try parse(#"{"url": "https://a.example/"}"#).destination, .webhook)
    }

    func testWhatAJobMayNotPublishIsRefusedNamingTheField() {
        let cases: [(String, String)] = [
            (#"{"nats": {}}"#, "nats.subject"),
            (#"{"nats": {"subject": ""}}"#, "nats.subject"),
            (#"{"nats": "orders"}"#, "nats"),
            (#"{"nats": {"subject": "tock.done.0"}}"#, "nats.subject"),
            (#"{"nats": {"subject": "tock.jobs.normal.0"}}"#, "nats.subject"),
            (#"{"nats": {"subject": "$JS.API.STREAM.DELETE.ORDERS"}}"#, "nats.subject"),
            (#"{"nats": {"subject": "$SYS.REQ.SERVER.PING"}}"#, "nats.subject"),
            (#"{"nats": {"subject": "_INBOX.abc"}}"#, "nats.subject"),
            (#"{"nats": {"subject": "orders.*"}}"#, "nats.subject"),
            (#"{"nats": {"subject": "orders.>"}}"#, "nats.subject"),
            (#"{"nats": {"subject": "orders..expire"}}"#, "nats.subject"),
            (#"{"nats": {"subject": ".orders"}}"#, "nats.subject"),
            (#"{"nats": {"subject": "orders expire"}}"#, "nats.subject"),
            (#"{"nats": {"subject": "orders\r\nPUB x 1"}}"#, "nats.subject"),
            (#"{"nats": {"subject": "\#(String(repeating: "a", count: 257))"}}"#, "nats.subject"),
            (#"{"nats": {"subject": "a", "headers": {"Nats-Rollup": "all"}}}"#, "nats.headers"),
            (#"{"nats": {"subject": "a", "headers": {"nats-msg-id": "x"}}}"#, "nats.headers"),
            (#"{"nats": {"subject": "a", "headers": {"Tock-Attempt": "9"}}}"#, "nats.headers"),
            (#"{"nats": {"subject": "a", "headers": {"X": "a\nb"}}}"#, "nats.headers"),
            (#"{"nats": {"subject": "a", "headers": {"X Y": "1"}}}"#, "nats.headers"),
            (#"{"nats": {"subject": "a", "headers": ["X"]}}"#, "nats.headers"),
            (#"{"nats": {"subject": "a", "body": 5}}"#, "nats.body"),
            (#"{"nats": {"subject": "a", "reply": "b"}}"#, "nats.reply"),
            (#"{"nats": {"subject": "a"}, "url": "https://a.example/"}"#, "url"),
            (#"{"nats": {"subject": "a"}, "method": "GET"}"#, "method"),
            (#"{"nats": {"subject": "a"}, "body": "x"}"#, "body"),
            (#"{"nats": {"subject": "a"}, "webhook_format": "scheduled-db"}"#, "webhook_format"),
            (#"{}"#, "url"),
        ]
        for (json, field) in cases {
            XCTAssertEqual(refusal(json)?.field, field, json)
        }
        var policy = SubmitPolicy()
        policy.maxBodyBytes = 4
        XCTAssertThrowsError(
            try JobRequest.parse(
                json: Array(#"{"nats": {"subject": "a", "body": "12345"}}"#.utf8), nowNs: now, policy: policy)
        ) { error in
            XCTAssertEqual((error as? FieldError)?.field, "nats.body")
            XCTAssertEqual((error as? FieldError)?.code, "too_large")
        }
    }

    func testAProtobufSubmitIsHeldToTheSameRules() throws {
        var spec = JobSpec(
            id: "", priority: .normal, target: .empty, timeoutMs: 0, maxAttempts: 0, idempotencyKey: "", dueAtNs: 0,
            destination: .nats(NATSTarget(subject: "orders.expire", headers: [], body: [1])))
        XCTAssertEqual(try JobRequest.validate(spec, nowNs: now).destination, spec.destination)
        for (subject, headers) in [("tock.done.0", []), ("a", [Header(name: "Nats-Expected-Stream", value: "X")])] {
            spec.destination = .nats(NATSTarget(subject: subject, headers: headers, body: []))
            XCTAssertThrowsError(try JobRequest.validate(spec, nowNs: now), subject)
        }
        spec.destination = .timer
        XCTAssertEqual(try JobRequest.validate(spec, nowNs: now).destination, .timer)
    }
}
