import TockCore
import XCTest

final class RFC3339Tests: XCTestCase {
    func testParsesUTCOffsetsAndFractions() {
        XCTAssertEqual(RFC3339.parseNs("1970-01-01T00:00:01Z"), 1_000_000_000)
        XCTAssertEqual(RFC3339.parseNs("1970-01-01T01:00:01+01:00"), 1_000_000_000)
        XCTAssertEqual(RFC3339.parseNs("1970-01-01T00:00:01.250Z"), 1_250_000_000)
        XCTAssertEqual(RFC3339.parseNs("2024-02-29T12:00:00Z"), 1_709_208_000_000_000_000)
    }

    func testRejectsOtherFormats() {
        for text in ["tomorrow", "2024-02-30T00:00:00Z", "2024-01-01", "2024-01-01 10:00:00", "1700000000"] {
            XCTAssertNil(RFC3339.parseNs(text), text)
        }
    }

    func testFormatRoundTripsToTheMillisecond() {
        let ns: Int64 = 1_795_000_000_123_000_000
        XCTAssertEqual(RFC3339.parseNs(RFC3339.format(ns: ns)), ns)
        XCTAssertTrue(RFC3339.format(ns: ns).hasSuffix("Z"))
    }
}

final class RFC3339CalendarTests: XCTestCase {
    func testLeapDaysAndCenturies() {
        XCTAssertNotNil(RFC3339.parseNs("2000-02-29T00:00:00Z"))
        XCTAssertNil(RFC3339.parseNs("1900-02-29T00:00:00Z"))
        XCTAssertNil(RFC3339.parseNs("2023-02-29T00:00:00Z"))
        XCTAssertNil(RFC3339.parseNs("2024-04-31T00:00:00Z"))
        XCTAssertNil(RFC3339.parseNs("2024-01-01T24:00:00Z"))
    }

    func testFormatAgreesWithParseAcrossYears() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let ms = Int64.random(in: -2_000_000_000_000...4_000_000_000_000, using: &generator)
            let ns = ms * 1_000_000
            XCTAssertEqual(RFC3339.parseNs(RFC3339.format(ns: ns)), ns, RFC3339.format(ns: ns))
        }
        XCTAssertEqual(RFC3339.format(ns: 0), "1970-01-01T00:00:00.000Z")
        XCTAssertEqual(RFC3339.format(ns: -1_000_000), "1969-12-31T23:59:59.999Z")
    }

    func testFormatsMoreDigitsTruncated() {
        XCTAssertEqual(RFC3339.format(ns: 1_234_567_891, fractionDigits: 6), "1970-01-01T00:00:01.234567Z")
        XCTAssertEqual(RFC3339.format(ns: 1_234_567_891, fractionDigits: 9), "1970-01-01T00:00:01.234567891Z")
        XCTAssertEqual(RFC3339.format(ns: -1, fractionDigits: 6), "1969-12-31T23:59:59.999999Z")
        XCTAssertEqual(RFC3339.parseNs(RFC3339.format(ns: 1_234_567_891, fractionDigits: 9)), 1_234_567_891)
    }
}
