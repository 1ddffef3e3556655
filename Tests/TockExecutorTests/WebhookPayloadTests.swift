import Foundation
import TockCore
import TockModel
import TockWire
import XCTest

@testable import TockExecutor

/// What one attempt sends for each webhook format.
final class WebhookPayloadTests: XCTestCase {
    func run(_ format: WebhookFormat, method: String = "PUT", body: String) -> JobRun {
        JobRun(
            jobID: "0-01ABC", run: 1, shard: 0, priority: .normal,
            target: HTTPTarget(url: "http://h/p", method: method, headers: [], body: Array(body.utf8)),
            timeoutMs: 1000, maxAttempts: 1, idempotencyKey: "", dueAtNs: 0, publishedAtNs: 0, traceID: "",
            webhookFormat: format)
    }

    func testTockFormatSendsTheJobAsGiven() {
        let payload = WebhookPayload(run(.tock, body: "hello"), sentAtSeconds: 1_767_225_600)
        XCTAssertEqual(payload, WebhookPayload(method: "PUT", body: Array("hello".utf8), contentType: nil))
    }

    func testScheduledDBFormatPostsItsJSONWithTheSendTime() {
        let payload = WebhookPayload(run(.scheduledDB, method: "POST", body: #"{"a":1}"#), sentAtSeconds: 1_767_225_600)
        XCTAssertEqual(payload.method, "POST")
        XCTAssertEqual(payload.contentType, "application/json")
        XCTAssertEqual(
            String(decoding: payload.body, as: UTF8.self),
            #"{"data":{"a":1},"job_id":"0-01ABC","timestamp":1767225600,"type":"unico"}"#)
    }

    func testARecurringRunIsRecurrenteAndCarriesTheClientsOwnID() {
        var recurring = run(.scheduledDB, method: "POST", body: #"{"a":1}"#)
        recurring.recurring = true
        recurring.idempotencyKey = "nightly-report"
        let payload = WebhookPayload(recurring, sentAtSeconds: 1_767_225_600)
        XCTAssertEqual(
            String(decoding: payload.body, as: UTF8.self),
            #"{"data":{"a":1},"job_id":"nightly-report","timestamp":1767225600,"type":"recurrente"}"#)
    }
}
