import TockModel
import TockWire
import XCTest

final class JobRunWireTests: XCTestCase {
    func testRoundTripEveryPriority() throws {
        for priority in Priority.allCases {
            let run = Fixtures.jobRun(priority: priority)
            XCTAssertEqual(try JobRun(decoding: run.encoded()), run, "\(priority)")
        }
    }

    func testRoundTripEveryWebhookFormat() throws {
        for format in WebhookFormat.allCases {
            var run = Fixtures.jobRun()
            run.webhookFormat = format
            XCTAssertEqual(try JobRun(decoding: run.encoded()), run, "\(format)")
        }
    }

    func testTheDefaultWebhookFormatAddsNoBytesSoOlderRunsDecodeAsTock() throws {
        var run = Fixtures.jobRun()
        run.webhookFormat = .scheduledDB
        // Field 12 as a varint: tag 0x60, value 1. The default (0) is not written at all, so an executor built
        // before the field existed reads a Tock-format run exactly as before.
        XCTAssertEqual(run.encoded(), Fixtures.jobRun().encoded() + [0x60, 0x01])
        XCTAssertEqual(try JobRun(decoding: Fixtures.jobRun().encoded()).webhookFormat, .tock)
    }

    func testUnknownWebhookFormatIsMissingField() throws {
        let bytes = Fixtures.jobRun().encoded() + [0x60, 0x09]
        XCTAssertThrowsError(try JobRun(decoding: bytes)) { error in
            XCTAssertEqual(error as? WireError, .missingField("JobRun.webhook_format"))
        }
    }

    func testRoundTripEmptyBodyNoHeadersAndEmptyStrings() throws {
        var run = Fixtures.jobRun(priority: .low, body: [])
        run.target.headers = []
        run.target.method = ""
        run.idempotencyKey = ""
        run.traceID = ""
        run.jobID = ""
        run.run = 0
        run.dueAtNs = 0
        run.publishedAtNs = -1
        XCTAssertEqual(try JobRun(decoding: run.encoded()), run)
    }

    func testBigBinaryBodyKeepsZeroBytes() throws {
        let run = Fixtures.jobRun()
        let decoded = try JobRun(decoding: run.encoded())
        XCTAssertEqual(decoded.target.body.count, 64 * 1024)
        XCTAssertEqual(decoded.target.body.filter { $0 == 0 }.count, run.target.body.filter { $0 == 0 }.count)
        XCTAssertEqual(decoded.target.body, Fixtures.bigBody)
        XCTAssertEqual(decoded.target.headers, Fixtures.manyHeaders)
    }

    func testMissingTargetIsMissingField() throws {
        // Fields 1 (job_id "a") and 4 (priority HIGH), no field 5.
        let bytes: [UInt8] = [0x0A, 0x01, 0x61, 0x20, 0x02]
        XCTAssertThrowsError(try JobRun(decoding: bytes)) { error in
            XCTAssertEqual(error as? WireError, .missingField("JobRun.target"))
        }
    }

    func testUnspecifiedPriorityIsMissingField() throws {
        XCTAssertThrowsError(try JobRun(decoding: [])) { error in
            XCTAssertEqual(error as? WireError, .missingField("JobRun.priority"))
        }
    }

    func testUnknownPriorityIsMissingField() throws {
        // A later occurrence of a scalar field wins: overwrite priority with 9.
        let bytes = Fixtures.jobRun().encoded() + [0x20, 0x09]
        XCTAssertThrowsError(try JobRun(decoding: bytes)) { error in
            XCTAssertEqual(error as? WireError, .missingField("JobRun.priority"))
        }
    }

    func testStringsAreCutAtNUL() throws {
        // Documented protobuf-c limitation (char* fields): pinned so a change is noticed.
        var run = Fixtures.jobRun(body: [])
        run.traceID = "abc\u{0}def"
        XCTAssertEqual(try JobRun(decoding: run.encoded()).traceID, "abc")
    }
}
