import TockModel
import TockWire
import XCTest

final class JobSpecWireTests: XCTestCase {
    func testRoundTripEveryPriority() throws {
        for priority in Priority.allCases {
            let spec = Fixtures.jobSpec(priority: priority)
            XCTAssertEqual(try JobSpec(decoding: spec.encoded()), spec, "\(priority)")
        }
    }

    func testRoundTripEveryWebhookFormat() throws {
        for format in WebhookFormat.allCases {
            var spec = Fixtures.jobSpec()
            spec.webhookFormat = format
            XCTAssertEqual(try JobSpec(decoding: spec.encoded()), spec, "\(format)")
        }
    }

    func testTheDefaultWebhookFormatAddsNoBytesSoOlderSpecsDecodeAsTock() throws {
        var spec = Fixtures.jobSpec()
        spec.webhookFormat = .scheduledDB
        // Field 8 as a varint: tag 0x40, value 1. The default (0) is not written at all.
        XCTAssertEqual(spec.encoded(), Fixtures.jobSpec().encoded() + [0x40, 0x01])
        XCTAssertEqual(try JobSpec(decoding: Fixtures.jobSpec().encoded()).webhookFormat, .tock)
    }

    func testCallbackURLsRoundTripAndAreAbsentUnlessGiven() throws {
        var spec = Fixtures.jobSpec()
        spec.callbackURL = "https://hooks.example/done"
        spec.failureCallbackURL = "https://hooks.example/failed"
        XCTAssertEqual(try JobSpec(decoding: spec.encoded()), spec)
        let plain = try JobSpec(decoding: Fixtures.jobSpec().encoded())
        XCTAssertEqual([plain.callbackURL, plain.failureCallbackURL], ["", ""])
    }

    func testUnknownWebhookFormatIsMissingField() throws {
        let bytes = Fixtures.jobSpec().encoded() + [0x40, 0x09]
        XCTAssertThrowsError(try JobSpec(decoding: bytes)) { error in
            XCTAssertEqual(error as? WireError, .missingField("JobSpec.webhook_format"))
        }
    }

    func testRoundTripMinimalTarget() throws {
        var spec = Fixtures.jobSpec()
        spec.target = HTTPTarget(url: "", method: "", headers: [], body: [])
        spec.dueAtNs = .min
        spec.timeoutMs = 0
        // An all-empty target is still present on the wire, so it decodes as given.
        XCTAssertEqual(try JobSpec(decoding: spec.encoded()), spec)
    }

    func testJobSpecBatch() throws {
        let batch = JobSpecBatch(jobs: Priority.allCases.map { Fixtures.jobSpec(priority: $0) })
        XCTAssertEqual(try JobSpecBatch(decoding: batch.encoded()), batch)
        XCTAssertEqual(try JobSpecBatch(decoding: []), JobSpecBatch(jobs: []))
        // One empty JobSpec: a job without priority or target is refused as a whole, as a single spec is.
        XCTAssertThrowsError(try JobSpecBatch(decoding: [0x0A, 0x00])) { error in
            XCTAssertNotNil(error as? WireError)
        }
    }
}
