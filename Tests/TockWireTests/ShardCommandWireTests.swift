import TockModel
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
        assertRoundTrip(.createJob(Fixtures.jobSpec(), createdAtNs: 5, idempotencyRetentionNs: 86_400_000_000_000))
    }

    func testCreateJobWithoutRetentionKeepsTheOldBytes() throws {
        // Entries written before retention existed decode as "keys never expire", and such a create encodes
        // exactly as it always did.
        let old = ShardCommand.createJob(Fixtures.jobSpec(), createdAtNs: 7)
        let withRetention = ShardCommand.createJob(Fixtures.jobSpec(), createdAtNs: 7, idempotencyRetentionNs: 1)
        // CreateJob.idempotency_retention_ns = 3 as a varint: tag 0x18, value 1; one more byte in the sub-message.
        XCTAssertEqual(withRetention.encoded().suffix(2), [0x18, 0x01])
        XCTAssertEqual(withRetention.encoded().count, old.encoded().count + 2)
    }

    func testCreateJobs() {
        let specs = (0..<1000).map { index in
            var spec = Fixtures.jobSpec(priority: Priority.allCases[index % Priority.allCases.count])
            spec.id = "0-job-\(index)"
            spec.idempotencyKey = index % 3 == 0 ? "" : "key-\(index % 7)-" + Fixtures.unicode
            return spec
        }
        assertRoundTrip(.createJobs(specs, createdAtNs: .max, idempotencyRetentionNs: 3_600_000_000_000))
        assertRoundTrip(.createJobs(Array(specs.prefix(3)), createdAtNs: .min))
        // Empty but present: still a batch create, not "no command".
        assertRoundTrip(.createJobs([], createdAtNs: 0))
        // Pins the field number: ShardCommand.create_jobs = 9 { created_at_ns = 2 }.
        XCTAssertEqual(ShardCommand.createJobs([], createdAtNs: 1).encoded(), [0x4A, 0x02, 0x10, 0x01])
    }

    func testCancelJob() {
        assertRoundTrip(.cancelJob(jobID: Fixtures.unicode, atNs: .min))
        assertRoundTrip(.cancelJob(jobID: "", atNs: 0))
    }

    func testRetryJob() {
        assertRoundTrip(
            .retryJob(
                [RunKey(jobID: Fixtures.unicode, run: .max), RunKey(jobID: "0-a", run: 1)],
                atNs: .min))
        assertRoundTrip(.retryJob([], atNs: 0))
    }

    func testMarkPublished() {
        var runs: [PublishedRun] = []
        for index in 0..<500 {
            let sequence: UInt64 = index == 0 ? .max : UInt64(index)
            let publishedAt: Int64 = index == 1 ? .min : Int64(index) * 1_000_000_007
            let jobID = "job-\(index)-" + Fixtures.unicode
            runs.append(
                PublishedRun(jobID: jobID, run: UInt32(index), streamSequence: sequence, publishedAtNs: publishedAt))
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

    func testPurgeFinishedRoundTripsAndPinsItsFieldNumbers() {
        assertRoundTrip(.purgeFinished(cutoffNs: .min, jobIDs: [], runs: []))
        assertRoundTrip(
            .purgeFinished(
                cutoffNs: 123_456_789, jobIDs: ["a", "b"],
                runs: [RunKey(jobID: "r", run: 1), RunKey(jobID: "r", run: .max)]))
        // ShardCommand.purge_finished = 12 { cutoff_ns = 1, job_ids = 2, runs = 3 { job_id = 1, run = 2 } }.
        XCTAssertEqual(
            ShardCommand.purgeFinished(cutoffNs: 1, jobIDs: ["a"], runs: [RunKey(jobID: "b", run: 2)]).encoded(),
            [0x62, 0x0C, 0x08, 0x01, 0x12, 0x01, 0x61, 0x1A, 0x05, 0x0A, 0x01, 0x62, 0x10, 0x02])
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
