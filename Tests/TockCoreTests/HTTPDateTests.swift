import TockCore
import XCTest

final class HTTPDateTests: XCTestCase {
    // 784111777 is RFC 9110's example instant, from Python's email.utils.parsedate + calendar.timegm.
    func testAcceptsTheThreeFormsRFC9110Requires() {
        XCTAssertEqual(HTTPDate.parseSeconds("Sun, 06 Nov 1994 08:49:37 GMT"), 784_111_777)
        XCTAssertEqual(HTTPDate.parseSeconds("Sunday, 06-Nov-94 08:49:37 GMT"), 784_111_777)
        XCTAssertEqual(HTTPDate.parseSeconds("Sun Nov  6 08:49:37 1994"), 784_111_777)
        XCTAssertEqual(HTTPDate.parseSeconds("Thu, 29 Feb 2024 23:59:59 GMT"), 1_709_251_199)
    }

    func testRejectsImpossibleOrLooseDates() {
        for text in [
            "Fri, 30 Feb 2024 10:00:00 GMT", "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 6 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, +6 Nov 1994 08:49:37 GMT", "Sun, 06 nov 1994 08:49:37 GMT",
            "Sun Nov 6 08:49:37 1994", "2024-02-29T23:59:59Z", "", "120",
        ] {
            XCTAssertNil(HTTPDate.parseSeconds(text), text)
        }
    }
}

final class RetryAfterTests: XCTestCase {
    let now: Int64 = 784_111_777 * 1_000_000_000 + 250_000_000

    func testDelaySeconds() {
        XCTAssertEqual(RetryAfter.delay("120", nowNs: now), .seconds(120))
        XCTAssertEqual(RetryAfter.delay(" 0 ", nowNs: now), .zero)
        XCTAssertEqual(RetryAfter.delay("99999999999999999999999", nowNs: now), .seconds(Int64.max / 1_000_000_000))
    }

    func testHTTPDateIsReadRelativeToTheInjectedNow() {
        XCTAssertEqual(RetryAfter.delay("Sun, 06 Nov 1994 08:49:47 GMT", nowNs: now), .milliseconds(9_750))
        XCTAssertEqual(RetryAfter.delay("Sun, 06 Nov 1994 08:49:37 GMT", nowNs: now), .zero, "the past is now")
        XCTAssertEqual(RetryAfter.delay("Sat, 05 Nov 1994 08:49:37 GMT", nowNs: now), .zero)
    }

    func testAbsentOrMalformedIsNil() {
        for header in [nil, "", "-5", "1.5", "soon", "Sun, 06 Nov 1994"] as [String?] {
            XCTAssertNil(RetryAfter.delay(header, nowNs: now), "\(String(describing: header))")
        }
    }
}
