import TockCore
import XCTest

final class AnswerExcerptTests: XCTestCase {
    func testBoundedAndPrintable() {
        XCTAssertEqual(AnswerExcerpt.text(of: Array("plain answer".utf8), limit: 512), "plain answer")
        XCTAssertEqual(
            AnswerExcerpt.text(of: Array(repeating: UInt8(ascii: "x"), count: 10_000), limit: 512).utf8.count, 512)
        XCTAssertEqual(
            AnswerExcerpt.text(of: Array("a\nb\r\tc\u{1b}[31m\u{7f}".utf8), limit: 512),
            #"a\nb\r\tc\u{1b}[31m\u{7f}"#)
        XCTAssertEqual(AnswerExcerpt.text(of: Array("safe\u{202e}txt.exe".utf8), limit: 512), #"safe\u{202e}txt.exe"#)
        XCTAssertEqual(AnswerExcerpt.text(of: [0x61, 0x00, 0x62], limit: 512), #"a\u{0}b"#)
        // Escapes never take the text past the limit, nor are they cut in half.
        XCTAssertEqual(AnswerExcerpt.text(of: Array(repeating: 0x1b, count: 512), limit: 512).utf8.count, 510)
        XCTAssertEqual(AnswerExcerpt.text(of: Array("ab\u{1b}".utf8), limit: 7), "ab")
    }

    func testInvalidUTF8IsReplacedAndACharacterCutAtTheLimitIsDropped() {
        XCTAssertEqual(AnswerExcerpt.text(of: [0x61, 0xff, 0xfe, 0x62], limit: 512), "a\u{fffd}\u{fffd}b")
        // "é" is two bytes: cut after its first, it is dropped rather than shown as U+FFFD.
        XCTAssertEqual(AnswerExcerpt.text(of: Array("abé".utf8), limit: 3), "ab")
        XCTAssertEqual(AnswerExcerpt.text(of: Array("ab€".utf8), limit: 4), "ab")
        XCTAssertEqual(AnswerExcerpt.text(of: Array("ab€".utf8), limit: 5), "ab€")
        XCTAssertEqual(AnswerExcerpt.text(of: Array("a😀".utf8), limit: 4), "a")
        XCTAssertEqual(AnswerExcerpt.text(of: [], limit: 512), "")
        XCTAssertEqual(AnswerExcerpt.text(of: Array("abc".utf8), limit: 0), "")
    }
}
