import TockCore
import TockModel
import XCTest

/// `callback_url` and `failure_callback_url`: optional, checked as `url` is, errors naming the field; the same
/// for a protobuf submit.
final class JobRequestCallbackTests: XCTestCase {
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

    func testCallbacksAreOptionalAndKeptAsGiven() throws {
        let plain = try parse(#"{"url": "https://a.example/"}"#)
        XCTAssertEqual([plain.callbackURL, plain.failureCallbackURL], ["", ""])
        let nulls = try parse(#"{"url": "https://a.example/", "callback_url": null, "failure_callback_url": null}"#)
        XCTAssertEqual([nulls.callbackURL, nulls.failureCallbackURL], ["", ""])
        let both = try parse(
            #"""
            {"url": "https://a.example/", "callback_url": "https://b.example/done?x=1",
             "failure_callback_url": "http://c.example:8080/failed"}
            """#)
        XCTAssertEqual(both.callbackURL, "https://b.example/done?x=1")
        XCTAssertEqual(both.failureCallbackURL, "http://c.example:8080/failed")
    }

    func testABadCallbackIsRefusedNamingItsField() {
        let long = "https://b.example/" + String(repeating: "a", count: 9000)
        let cases: [(String, String)] = [
            (#""callback_url": "ftp://b.example/""#, "callback_url"),
            (#""callback_url": """#, "callback_url"),
            (#""callback_url": 42"#, "callback_url"),
            (#""callback_url": "https://b.example/\u000d\u000aX: y""#, "callback_url"),
            (#""callback_url": "/relative""#, "callback_url"),
            (#""callback_url": "\#(long)""#, "callback_url"),
            (#""failure_callback_url": "https:///nohost""#, "failure_callback_url"),
            (#""failure_callback_url": ["https://b.example/"]"#, "failure_callback_url"),
        ]
        for (field, name) in cases {
            let error = refusal(#"{"url": "https://a.example/", \#(field)}"#)
            XCTAssertEqual(error?.field, name, field.prefix(80).description)
            XCTAssertTrue(error?.message.contains(name) ?? false, "\(String(describing: error?.message))")
        }
    }

    func testAProtobufSubmitChecksItsCallbacksAlike() throws {
        var spec = JobSpec(
            id: "", priority: .normal,
            target: HTTPTarget(url: "https://a.example/", method: "POST", headers: [], body: []),
            timeoutMs: 0, maxAttempts: 0, idempotencyKey: "", dueAtNs: 0,
            callbackURL: "https://b.example/")
        XCTAssertEqual(try JobRequest.validate(spec, nowNs: now).callbackURL, "https://b.example/")
        spec.failureCallbackURL = "gopher://b.example/"
        XCTAssertThrowsError(try JobRequest.validate(spec, nowNs: now)) { error in
            XCTAssertEqual((error as? FieldError)?.field, "failure_callback_url")
        }
    }
}
