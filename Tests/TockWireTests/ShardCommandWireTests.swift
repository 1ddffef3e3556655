import TockWire
import XCTest

final class ShardCommandWireTests: XCTestCase {
    private func assertRoundTrip(_ command: ShardCommand, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(try ShardCommand(decoding: command.encoded()), command, file: file, line: line)
    }

    func testCreateJob() {
        for priority in Priority.allCases {
            assertRoundTrip(.createJob(Fixtures.jobSpec(priority: priority), createdAtNs: .max))
        }
        assertRoundTrip(.createJob(Fixtures.jobSpec(), createdAtNs: .min))
    }

    func testCancelJob() {
        assertRoundTrip(.cancelJob(jobID: Fixtures.unicode, atNs: .min))
        assertRoundTrip(.cancelJob(jobID: "", atNs: 0))
    }

    func testMarkPublished() {
        var runs: [PublishedRun] = []
        for index in 0..<500 {
            let sequence: UInt64 = index == 0 ? .max : UInt64(index)
            let publishedAt: Int64 = index == 1 ? .min : Int64(index) * 1_000_000_007
            let jobID = "job-\(index)-" + Fixtures.unicode
            runs.append(PublishedRun(jobID: jobID, run: UInt32(index), streamSequence: sequence, publishedAtNs: publishedAt))
        }
        assertRoundTrip(.markPublished(runs))
    }

    func testMarkDoneWithEveryOutcome() {
        let completions = [Outcome.succeeded, .failed, .gaveUp].map { Fixtures.completion(outcome: $0) }
        assertRoundTrip(.markDone(completions, atNs: .max))
        assertRoundTrip(.markDone(completions, atNs: .min))
    }

    func testSetNodeAddress() {
        assertRoundTrip(.setNodeAddress(node: "n4", raft: "127.0.0.1:7104", http: "[::1]:7074"))
        // Pins the field numbers: ShardCommand.set_node_address = 6 { node = 1, raft_address = 2, http_address = 3 }.
        XCTAssertEqual(
            ShardCommand.setNodeAddress(node: "a", raft: "b", http: "c").encoded(),
            [0x32, 0x09, 0x0A, 0x01, 0x61, 0x12, 0x01, 0x62, 0x1A, 0x01, 0x63]
        )
    }

    func testEmptyBatchesKeepTheirCase() {
        // The oneof sub-message is empty but present; it must not decode as "no command".
        assertRoundTrip(.markPublished([]))
        assertRoundTrip(.markDone([], atNs: 0))
    }

    func testKnownEncodingOfCancel() {
        // Pins the field numbers: ShardCommand.cancel_job = 2 { job_id = 1, at_ns = 2 }.
        XCTAssertEqual(
            ShardCommand.cancelJob(jobID: "a", atNs: 1).encoded(),
            [0x12, 0x05, 0x0A, 0x01, 0x61, 0x10, 0x01]
        )
    }

    func testEmptyBytesHaveNoCommand() {
        XCTAssertThrowsError(try ShardCommand(decoding: [])) { error in
            XCTAssertEqual(error as? WireError, .missingField("ShardCommand.command"))
        }
    }

    func testCommandFromNewerSchemaHasNoCommand() {
        // Field 15 (an empty message), a number this build does not know.
        XCTAssertThrowsError(try ShardCommand(decoding: [0x7A, 0x00])) { error in
            XCTAssertEqual(error as? WireError, .missingField("ShardCommand.command"))
        }
    }

    func testCreateWithoutSpecIsMissingField() {
        XCTAssertThrowsError(try ShardCommand(decoding: [0x0A, 0x00])) { error in
            XCTAssertEqual(error as? WireError, .missingField("CreateJob.spec"))
        }
    }
}
