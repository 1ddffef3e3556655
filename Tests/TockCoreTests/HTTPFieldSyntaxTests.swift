import TockCore
import XCTest

final class HTTPFieldSyntaxTests: XCTestCase {
    func testTokens() {
        for token in ["GET", "POST", "X-Custom_1", "!#$%&'*+-.^_`|~", "a"] {
            XCTAssertTrue(HTTPFieldSyntax.isToken(token), token)
        }
        for text in ["", "GET /", "GET\r\nHost: evil", "X:Y", "é", "A\0", "(a)", "a\tb"] {
            XCTAssertFalse(HTTPFieldSyntax.isToken(text), text.debugDescription)
        }
    }

    func testFieldValues() {
        for value in ["", "text/plain; charset=utf-8", "a\tb", "ünïcode"] {
            XCTAssertTrue(HTTPFieldSyntax.isFieldValue(value), value)
        }
        for value in ["a\r\nX-Injected: 1", "a\nb", "a\rb", "a\0b", "a\u{7F}", "a\u{1B}[31m"] {
            XCTAssertFalse(HTTPFieldSyntax.isFieldValue(value), value.debugDescription)
        }
    }
}
