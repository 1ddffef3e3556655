import TockCore
import XCTest

final class UTF8PrefixTests: XCTestCase {
    func testCutsAtTheLastWholeScalarWithinTheLimit() {
        XCTAssertEqual("hello".utf8Prefix(10), "hello")
        XCTAssertEqual("hello".utf8Prefix(5), "hello")
        XCTAssertEqual("hello".utf8Prefix(3), "hel")
        XCTAssertEqual("hello".utf8Prefix(0), "")
        XCTAssertEqual("hello".utf8Prefix(-1), "")
        // "é" is 2 bytes and "€" 3: a limit inside a scalar leaves it out.
        XCTAssertEqual("aé€".utf8Prefix(2), "a")
        XCTAssertEqual("aé€".utf8Prefix(3), "aé")
        XCTAssertEqual("aé€".utf8Prefix(5), "aé")
        XCTAssertEqual("aé€".utf8Prefix(6), "aé€")
    }

    func testOneCharacterOfManyScalarsIsCutToo() {
        // One grapheme cluster of 10,001 scalars: prefix(1) would keep all of it.
        let text = "e" + String(repeating: "\u{301}", count: 10_000)
        XCTAssertEqual(text.count, 1)
        let cut = text.utf8Prefix(64)
        XCTAssertLessThanOrEqual(cut.utf8.count, 64)
        XCTAssertEqual(cut.utf8.count, 63)
    }
}
