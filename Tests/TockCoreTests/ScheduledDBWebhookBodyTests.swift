import Foundation
import TockCore
import XCTest

/// The body a scheduled-db receiver parses: its four keys in Go's sorted order, the payload as `data`.
final class ScheduledDBWebhookBodyTests: XCTestCase {
    func text(_ payload: String, type: ScheduledDBJobType = .unico) -> String {
        String(
            decoding: ScheduledDBWebhookBody.encode(
                jobID: "0-01ABC", type: type, sentAtSeconds: 1_767_225_600,
                payload: Array(payload.utf8)),
            as: UTF8.self)
    }

    func testAnObjectPayloadIsTheDataAsStored() {
        XCTAssertEqual(
            text(#"{"message":"Merry Christmas!","n":[1,2]}"#),
            #"{"data":{"message":"Merry Christmas!","n":[1,2]},"job_id":"0-01ABC","timestamp":1767225600,"type":"unico"}"#
        )
    }

    func testNoPayloadIsNullData() {
        XCTAssertEqual(text(""), #"{"data":null,"job_id":"0-01ABC","timestamp":1767225600,"type":"unico"}"#)
    }

    func testRecurringType() {
        XCTAssertTrue(text("{}", type: .recurrente).hasSuffix(#""type":"recurrente"}"#))
    }

    func testTextThatIsNotJSONBecomesAJSONString() throws {
        let body = text("plain \"text\"")
        XCTAssertEqual(body, #"{"data":"plain \"text\"","job_id":"0-01ABC","timestamp":1767225600,"type":"unico"}"#)
        XCTAssertNoThrow(try JSONDecoder().decode(JSONValue.self, from: Data(body.utf8)))
    }

    func testAJobIDIsEscapedAsAJSONString() throws {
        let bytes = ScheduledDBWebhookBody.encode(jobID: "a\"b\\c", type: .unico, sentAtSeconds: 0, payload: [])
        let decoded = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        XCTAssertEqual(
            decoded,
            .object([
                "data": .null, "job_id": .string("a\"b\\c"), "timestamp": .int(0),
                "type": .string("unico"),
            ]))
    }
}
