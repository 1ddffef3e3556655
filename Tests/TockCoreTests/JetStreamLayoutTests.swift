import Foundation
import TockCore
import XCTest

final class JetStreamLayoutTests: XCTestCase {
    func testEmptyConfigGivesDefaults() throws {
        XCTAssertEqual(try JetStreamLayout.parse(json: Data("{}".utf8)), JetStreamLayout())
    }

    func testTheShippedConfigParses() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../nats/jetstream.json")
        let layout = try JetStreamLayout.parse(json: try Data(contentsOf: url))
        XCTAssertEqual(layout.shardCount, 1)
        XCTAssertEqual(layout.priorities[.critical]?.ackWaitNs, 60_000_000_000)
    }

    func testErrorsNameTheKey() {
        let cases = [
            (#"{"shard_count": 0}"#, "shard_count"),
            (#"{"storage": "tape"}"#, "storage"),
            (#"{"priorities": {"urgent": {}}}"#, "priorities.urgent"),
            (#"{"priorities": {"low": {"ack_wait": "soon"}}}"#, "priorities.low.ack_wait"),
            (#"{"priorities": {"low": {"max_deliver": 0}}}"#, "priorities.low.max_deliver"),
            (#"{"jobs_stream": {"max_age": 5}}"#, "jobs_stream.max_age"),
        ]
        for (json, key) in cases {
            XCTAssertThrowsError(try JetStreamLayout.parse(json: Data(json.utf8)), json) { error in
                XCTAssertEqual((error as? FieldError)?.field, key, json)
            }
        }
    }
}
