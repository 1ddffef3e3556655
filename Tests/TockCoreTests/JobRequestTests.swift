import TockCore
import TockModel
import XCTest

final class JobRequestTests: XCTestCase {
    let now: Int64 = 1_800_000_000_000_000_000

    func parse(_ json: String, policy: SubmitPolicy = .init()) throws(FieldError) -> JobSpec {
        try JobRequest.parse(json: Array(json.utf8), nowNs: now, policy: policy)
    }

    func field(of json: String) -> String? {
        do {
            _ = try parse(json)
            return "accepted"
        } catch {
            return error.field
        }
    }

    func testDefaults() throws {
        let request = try parse(#"{"url": "https://example.com/hook"}"#)
        XCTAssertEqual(request.target.method, "POST")
        XCTAssertEqual(request.priority, .normal)
        XCTAssertEqual(request.dueAtNs, now)
        XCTAssertEqual(request.timeoutMs, 30_000)
        XCTAssertEqual(request.maxAttempts, 5)
        XCTAssertEqual(request.idempotencyKey, "")
        XCTAssertEqual(request.target.body, [])
        XCTAssertEqual(request.webhookFormat, .tock)
    }

    func testWebhookFormat() throws {
        XCTAssertEqual(try parse(#"{"url": "http://h/p", "webhook_format": "tock"}"#).webhookFormat, .tock)
        let request = try parse(#"{"url": "http://h/p", "webhook_format": "scheduled-db", "body": {"n": 1}}"#)
        XCTAssertEqual(request.webhookFormat, .scheduledDB)
        XCTAssertEqual(String(decoding: request.target.body, as: UTF8.self), #"{"n":1}"#)
        XCTAssertEqual(
            try parse(#"{"url": "http://h/p", "webhook_format": "Scheduled-DB"}"#).webhookFormat, .scheduledDB)
        XCTAssertEqual(try parse(#"{"url": "http://h/p", "webhook_format": null}"#).webhookFormat, .tock)
    }

    func testABadWebhookFormatIsNamedWithWhatIsAllowed() {
        XCTAssertThrowsError(try parse(#"{"url": "http://h/p", "webhook_format": "go"}"#)) { error in
            XCTAssertEqual(
                error as? FieldError,
                FieldError(
                    field: "webhook_format",
                    message: "webhook_format must be tock or scheduled-db"))
        }
        XCTAssertEqual(field(of: #"{"url": "http://h/p", "webhook_format": 1}"#), "webhook_format")
    }

    func testScheduledDBFormatNeedsPOSTAndAnObjectBody() {
        XCTAssertEqual(
            field(of: #"{"url": "http://h/p", "webhook_format": "scheduled-db", "method": "PUT"}"#), "method")
        XCTAssertEqual(field(of: #"{"url": "http://h/p", "webhook_format": "scheduled-db", "body": "text"}"#), "body")
        XCTAssertEqual(field(of: #"{"url": "http://h/p", "webhook_format": "scheduled-db", "body": [1]}"#), "body")
        XCTAssertEqual(
            field(of: #"{"url": "http://h/p", "webhook_format": "scheduled-db", "method": "post"}"#),
            "accepted")
        XCTAssertEqual(field(of: #"{"url": "http://h/p", "webhook_format": "tock", "body": [1]}"#), "accepted")
    }

    func testAllFields() throws {
        let request = try parse(
            """
            {"url": "http://h:8080/p?q=1", "method": "put", "headers": {"X-A": "1"}, "body": "b",
             "delay": "90s", "priority": "critical", "timeout": "5s", "max_attempts": 7, "idempotency_key": "k"}
            """)
        XCTAssertEqual(request.target.method, "PUT")
        XCTAssertEqual(request.target.headers, [Header(name: "X-A", value: "1")])
        XCTAssertEqual(request.target.body, Array("b".utf8))
        XCTAssertEqual(request.dueAtNs, now + 90_000_000_000)
        XCTAssertEqual(request.priority, .critical)
        XCTAssertEqual(request.timeoutMs, 5_000)
        XCTAssertEqual(request.maxAttempts, 7)
        XCTAssertEqual(request.idempotencyKey, "k")
    }

    func testJSONObjectBodyIsSentAsJSON() throws {
        let request = try parse(#"{"url": "http://h/p", "body": {"b": 2, "a": [1]}}"#)
        XCTAssertEqual(String(decoding: request.target.body, as: UTF8.self), #"{"a":[1],"b":2}"#)
        XCTAssertEqual(request.target.headers, [Header(name: "Content-Type", value: "application/json")])
    }

    func testPastRunAtMeansNow() throws {
        XCTAssertEqual(try parse(#"{"url": "http://h/p", "run_at": "2001-01-01T00:00:00Z"}"#).dueAtNs, now)
    }

    func testEachBadFieldIsNamed() {
        XCTAssertNil(field(of: "nope"))
        XCTAssertEqual(field(of: "{}"), "url")
        XCTAssertEqual(field(of: #"{"url": "mailto:a@b"}"#), "url")
        XCTAssertEqual(field(of: #"{"url": "http://h/p", "run_at": "x"}"#), "run_at")
        XCTAssertEqual(field(of: #"{"url": "http://h/p", "delay": "x"}"#), "delay")
        XCTAssertEqual(field(of: #"{"url": "http://h/p", "priority": "x"}"#), "priority")
        XCTAssertEqual(field(of: #"{"url": "http://h/p", "max_attempts": 0}"#), "max_attempts")
        XCTAssertEqual(field(of: #"{"url": "http://h/p", "max_attempts": "3"}"#), "max_attempts")
        XCTAssertEqual(field(of: #"{"url": "http://h/p", "timeout": "0s"}"#), "timeout")
        XCTAssertEqual(field(of: #"{"url": "http://h/p", "timeout": "1h"}"#), "timeout")
        XCTAssertEqual(field(of: #"{"url": "http://h/p", "headers": {"Bad Name": "v"}}"#), "headers")
        XCTAssertEqual(field(of: #"{"url": "http://h/p", "headers": {"X": "a\nb"}}"#), "headers")
        XCTAssertEqual(field(of: #"{"url": "http://h/p", "body": 5}"#), "body")
        XCTAssertEqual(field(of: #"{"url": "http://h/p", "extra": 1}"#), "extra")
    }

    func testBodyLimitIsInBytes() {
        var policy = SubmitPolicy()
        policy.maxBodyBytes = 4
        XCTAssertNoThrow(try parse(#"{"url": "http://h/p", "body": "abcd"}"#, policy: policy))
        XCTAssertThrowsError(try parse(#"{"url": "http://h/p", "body": "é€"}"#, policy: policy)) { error in
            XCTAssertEqual((error as? FieldError)?.field, "body")
        }
    }
}

extension JobRequestTests {
    func testHeaderSizesAreLimited() {
        let policy = SubmitPolicy()
        let longName = String(repeating: "n", count: policy.maxHeaderNameBytes + 1)
        let longValue = String(repeating: "v", count: policy.maxHeaderValueBytes + 1)
        let fiveLarge = (0..<5).map { #""X-\#($0)": "\#(String(repeating: "v", count: policy.maxHeaderValueBytes))""# }
        for headers in [
            #"{"\#(longName)": "v"}"#, #"{"X": "\#(longValue)"}"#, "{\(fiveLarge.joined(separator: ", "))}",
        ] {
            XCTAssertThrowsError(try parse(#"{"url": "http://h/p", "headers": \#(headers)}"#)) { error in
                XCTAssertEqual((error as? FieldError)?.field, "headers")
                XCTAssertEqual((error as? FieldError)?.code, "too_large")
                XCTAssertLessThan(
                    (error as? FieldError)?.message.utf8.count ?? .max, 200, "the message quotes no header")
            }
        }
    }
}

extension JobRequestTests {
    /// URLComponents percent-encodes these rather than refusing them; the URL is stored and shown as given.
    func testURLsWithControlCharactersSpacesOrOverTheLimitAreRefused() {
        for url in [
            #"http://a/\r\nHost: b"#, #"http://a/\u0000x"#, "http://a/b c",
            "http://a/" + String(repeating: "p", count: SubmitPolicy().maxURLBytes),
        ] {
            XCTAssertEqual(field(of: #"{"url": "\#(url)"}"#), "url", url.prefix(40).description)
        }
        XCTAssertEqual(field(of: #"{"url": "http://a/b%20c?x=1"}"#), "accepted")
    }
}
