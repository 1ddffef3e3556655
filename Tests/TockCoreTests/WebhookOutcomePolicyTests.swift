import TockCore
import XCTest

final class WebhookOutcomePolicyTests: XCTestCase {
    let policy = WebhookOutcomePolicy()
    let now: Int64 = 1_700_000_000_000_000_000

    func verdict(_ status: Int?, retryAfter: String? = nil) -> DeliveryVerdict {
        policy.verdict(status: status, retryAfter: retryAfter, nowNs: now)
    }

    func testTwoHundredsSucceed() {
        for status in [200, 201, 204, 299] { XCTAssertEqual(verdict(status), .succeeded, "\(status)") }
    }

    func testTimeoutTooManyRequestsAndServerErrorsRetry() {
        for status in [408, 429, 500, 502, 503, 504, 599] {
            XCTAssertEqual(verdict(status), .retry(requestedDelay: nil), "\(status)")
            XCTAssertTrue(verdict(status).isHostFailure)
        }
    }

    func testNoResponseRetries() {
        XCTAssertEqual(verdict(nil), .retry(requestedDelay: nil))
        XCTAssertTrue(verdict(nil).isHostFailure)
    }

    func testOtherClientErrorsAndRedirectsFailAtOnceWithoutBlamingTheHost() {
        for status in [100, 301, 302, 304, 307, 400, 401, 403, 404, 405, 409, 410, 422, 451] {
            XCTAssertEqual(verdict(status), .failPermanently, "\(status)")
            XCTAssertFalse(verdict(status).isHostFailure)
        }
        XCTAssertFalse(verdict(200).isHostFailure)
    }

    func testRetryAfterIsHonouredInBothFormsAndCapped() {
        XCTAssertEqual(verdict(503, retryAfter: "7"), .retry(requestedDelay: .seconds(7)))
        // now + 90 s (Python: email.utils.formatdate(1700000090, usegmt=True))
        XCTAssertEqual(verdict(429, retryAfter: "Tue, 14 Nov 2023 22:14:50 GMT"), .retry(requestedDelay: .seconds(90)))
        XCTAssertEqual(verdict(503, retryAfter: "86400"), .retry(requestedDelay: .seconds(3600)))
        XCTAssertEqual(verdict(503, retryAfter: "garbage"), .retry(requestedDelay: nil))
        XCTAssertEqual(verdict(404, retryAfter: "7"), .failPermanently, "Retry-After does not make a 404 retryable")
        XCTAssertEqual(verdict(200, retryAfter: "7"), .succeeded)
    }

    func testRedeliveryWaitsForTheLongerOfBackoffAndRetryAfter() {
        XCTAssertEqual(policy.redeliveryDelay(backoff: .seconds(4), requested: nil), .seconds(4))
        XCTAssertEqual(policy.redeliveryDelay(backoff: .seconds(4), requested: .seconds(2)), .seconds(4))
        XCTAssertEqual(policy.redeliveryDelay(backoff: .seconds(4), requested: .seconds(30)), .seconds(30))
    }
}
