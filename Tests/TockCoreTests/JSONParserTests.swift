import Foundation
import TockCore
import XCTest

/// `JSONValue(parsing:)` reads bytes directly; it must accept and reject exactly what `JSONDecoder` did, and read
/// every accepted text to the same value, or a submit would change meaning with the faster parser.
final class JSONParserTests: XCTestCase {
    private func viaDecoder(_ text: String) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    private func assertSameAsDecoder(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(
            JSONValue(parsing: Array(text.utf8)), viaDecoder(text), "parsing \(text.debugDescription)",
            file: file, line: line)
    }

    func testValuesReadAsJSONDecoderReadsThem() {
        let accepted = [
            #"{}"#, #"[]"#, #" { "a" : [ 1 , 2 ] } "#, "\n\t{\"a\":null}\r\n", #"true"#, #"false"#, #"null"#,
            #""text""#, #"0"#, #"-0"#, #"12"#, #"-12"#, #"9223372036854775807"#, #"-9223372036854775808"#,
            #"9223372036854775808"#, #"1.5"#, #"-1.5e3"#, #"1E2"#, #"1e-2"#, #"1.0"#, #"2.50"#, #"1e300"#,
            #"0.1"#, #"123456789012345678901234567890"#,
            #"{"url": "http://x/a?b=c", "headers": {"X-A": "1"}, "body": "{\"k\": [1, 2]}"}"#,
            #""\u00e9\u4e2d\ud83d\ude00 \" \\ \/ \b \f \n \r \t""#, #""é中😀""#, #"{"a": 1, "a": 2}"#,
            #"[[[[[[[[[[1]]]]]]]]]]"#, #"{"jobs": [{"url": "u", "timeout": "30s", "max_attempts": 3}]}"#,
        ]
        for text in accepted {
            XCTAssertNotNil(JSONValue(parsing: Array(text.utf8)), "should parse \(text.debugDescription)")
            assertSameAsDecoder(text)
        }
    }

    func testRejectsWhatIsNotJSON() {
        let rejected = [
            "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{'a':1}", "{a:1}", "01", "-", "1.", ".5", "1e", "+1", "--1",
            "NaN", "Infinity", "tru", "nul", "\"open", "\"bad \\x escape\"", "\"\\u12\"", "\"\\ud800\"",
            "\"\\udc00\"", "\"tab\tinside\"", "{\"a\" 1}", "[1 2]", "1 2", "{} x", "1e400",
        ]
        for text in rejected {
            XCTAssertNil(JSONValue(parsing: Array(text.utf8)), "should reject \(text.debugDescription)")
        }
        XCTAssertNil(JSONValue(parsing: [0x22, 0xFF, 0x22]), "invalid UTF-8 inside a string")
        XCTAssertNil(
            JSONValue(parsing: Array(repeating: UInt8(ascii: "["), count: 100_000)), "nesting beyond the limit")
    }

    func testNumbersKeepTheirKind() {
        XCTAssertEqual(JSONValue(parsing: Array("42".utf8)), .int(42))
        XCTAssertEqual(JSONValue(parsing: Array("4.0".utf8)), .int(4))
        XCTAssertEqual(JSONValue(parsing: Array("4.25".utf8)), .double(4.25))
        XCTAssertEqual(JSONValue(parsing: Array("1e20".utf8)), .double(1e20))
    }

    func testObjectParsingNamesTheProblem() {
        XCTAssertThrowsError(try JSONValue.object(parsing: Array("[1]".utf8))) { error in
            XCTAssertEqual((error as? FieldError)?.message, "request body must be a JSON object")
        }
        XCTAssertThrowsError(try JSONValue.object(parsing: Array("{".utf8))) { error in
            XCTAssertEqual((error as? FieldError)?.message, "request body is not valid JSON")
        }
    }
}
