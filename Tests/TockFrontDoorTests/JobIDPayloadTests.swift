import TockCore
import XCTest

@testable import TockFrontDoor

final class JobIDPayloadTests: XCTestCase {
    let id = "0-01M83VB0PYJMTQ8CWMCAXSQF5W"

    func testAnIdAsIsOrInAnObject() throws {
        XCTAssertEqual(try JobIDPayload.parse(Array(id.utf8)), id)
        XCTAssertEqual(try JobIDPayload.parse(Array(" \(id)\n".utf8)), id)
        XCTAssertEqual(try JobIDPayload.parse(Array(#"{"id": "\#(id)"}"#.utf8)), id)
        // Not an id of any shard, but well-formed text: the gateway answers 404.
        XCTAssertEqual(try JobIDPayload.parse(Array("nope".utf8)), "nope")
    }

    func testEverythingElseIsA400NamingTheField() {
        let cases: [(String, [UInt8], String, String)] = [
            ("empty", [], "id", "missing_field"),
            ("blank", Array(" \n\t".utf8), "id", "missing_field"),
            ("not JSON", Array("{nope".utf8), "", "invalid_json"),
            ("JSON not an object", Array("{]".utf8), "", "invalid_json"),
            ("no id", Array("{}".utf8), "id", "missing_field"),
            ("a null id", Array(#"{"id": null}"#.utf8), "id", "missing_field"),
            ("an empty id", Array(#"{"id": ""}"#.utf8), "id", "missing_field"),
            ("a number", Array(#"{"id": 5}"#.utf8), "id", "invalid_field"),
            ("an array", Array(#"{"id": ["a"]}"#.utf8), "id", "invalid_field"),
            ("an unknown field", Array(#"{"id": "a", "shard": 1}"#.utf8), "shard", "unknown_field"),
            ("not UTF-8", [0xFF, 0xFE, 0x30], "id", "invalid_field"),
            ("a NUL", Array("0-\0abc".utf8), "id", "invalid_field"),
            ("CR LF inside", Array("0-a\r\nb".utf8), "id", "invalid_field"),
            ("CR LF inside JSON", Array(#"{"id": "a\r\nb"}"#.utf8), "id", "invalid_field"),
        ]
        for (name, payload, field, code) in cases {
            XCTAssertThrowsError(try JobIDPayload.parse(payload), name) { error in
                let error = error as? FieldError
                XCTAssertEqual(error?.field ?? "", field, name)
                XCTAssertEqual(error?.code, code, name)
            }
        }
    }
}
