import TockCore
import XCTest

final class DurationTextTests: XCTestCase {
    func testParsesUnitsAndCompounds() {
        XCTAssertEqual(DurationText.parseNs("500ms"), 500_000_000)
        XCTAssertEqual(DurationText.parseNs("30s"), 30_000_000_000)
        XCTAssertEqual(DurationText.parseNs("1m30s"), 90_000_000_000)
        XCTAssertEqual(DurationText.parseNs("2h"), 7_200_000_000_000)
        XCTAssertEqual(DurationText.parseNs("7d"), 604_800_000_000_000)
        XCTAssertEqual(DurationText.parseNs("1.5s"), 1_500_000_000)
        XCTAssertEqual(DurationText.parseNs("0"), 0)
    }

    func testRejectsWhatIsNotADuration() {
        for text in ["", "s", "10", "-5s", "5 s", "5x", "1s2", "soon", "1e3s"] {
            XCTAssertNil(DurationText.parseNs(text), text)
        }
    }

    func testFormatsShortestExactUnit() {
        XCTAssertEqual(DurationText.format(ns: 30_000_000_000), "30s")
        XCTAssertEqual(DurationText.format(ns: 90_000_000_000), "90s")
        XCTAssertEqual(DurationText.format(ns: 120_000_000_000), "2m")
        XCTAssertEqual(DurationText.format(ns: 1_500_000_000), "1500ms")
        XCTAssertEqual(DurationText.format(ns: 0), "0s")
    }
}
