import TockCore
import XCTest

final class RetryBackoffTests: XCTestCase {
    func testDoublesFromBaseUpToMax() {
        let backoff = RetryBackoff(base: .milliseconds(100), max: .seconds(1))
        XCTAssertEqual(backoff.delay(afterAttempt: 1), .milliseconds(100))
        XCTAssertEqual(backoff.delay(afterAttempt: 2), .milliseconds(200))
        XCTAssertEqual(backoff.delay(afterAttempt: 4), .milliseconds(800))
        XCTAssertEqual(backoff.delay(afterAttempt: 5), .seconds(1))
        XCTAssertEqual(backoff.delay(afterAttempt: 500), .seconds(1))
    }
}
