import TockModel
import TockWire
import XCTest

final class CompletionWireTests: XCTestCase {
    func testRoundTripEveryOutcomeAndStatusExtremes() throws {
        for outcome in [Outcome.succeeded, .failed, .gaveUp] {
            for status: Int32 in [0, 200, -1, .min, .max] {
                let completion = Fixtures.completion(outcome: outcome, httpStatus: status)
                XCTAssertEqual(try Completion(decoding: completion.encoded()), completion, "\(outcome) \(status)")
            }
        }
    }

    func testRoundTripEmptyStrings() throws {
        var completion = Fixtures.completion(outcome: .succeeded, httpStatus: 204)
        completion.error = ""
        completion.executorID = ""
        completion.attempts = 0
        XCTAssertEqual(try Completion(decoding: completion.encoded()), completion)
    }

    func testUnknownOutcomeIsMissingField() throws {
        let bytes = Fixtures.completion().encoded() + [0x20, 0x7F]
        XCTAssertThrowsError(try Completion(decoding: bytes)) { error in
            XCTAssertEqual(error as? WireError, .missingField("Completion.outcome"))
        }
    }

    func testInvalidUTF8IsMalformed() throws {
        // job_id = 0xFF (not UTF-8), outcome = SUCCEEDED.
        let bytes: [UInt8] = [0x0A, 0x01, 0xFF, 0x20, 0x01]
        XCTAssertThrowsError(try Completion(decoding: bytes)) { error in
            XCTAssertEqual(error as? WireError, .malformed("Completion.job_id: invalid UTF-8"))
        }
    }

    func testABatchRoundTripsInOrderEmptyIncluded() throws {
        let batch = CompletionBatch(completions: [
            Fixtures.completion(outcome: .succeeded, httpStatus: 200), Fixtures.completion(),
            Fixtures.completion(outcome: .gaveUp, httpStatus: 0),
        ])
        XCTAssertEqual(try CompletionBatch(decoding: batch.encoded()), batch)
        XCTAssertEqual(try CompletionBatch(decoding: CompletionBatch(completions: []).encoded()).completions, [])
    }

    func testABatchWithOneUnreadableCompletionIsRefusedWhole() throws {
        // completions[0] = a Completion whose outcome is unknown.
        let inner = Fixtures.completion().encoded() + [0x20, 0x7F]
        let bytes: [UInt8] = [0x0A] + varint(inner.count) + inner
        XCTAssertThrowsError(try CompletionBatch(decoding: bytes)) { error in
            XCTAssertEqual(error as? WireError, .missingField("Completion.outcome"))
        }
    }

    private func varint(_ value: Int) -> [UInt8] {
        var value = UInt(value)
        var bytes: [UInt8] = []
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        return bytes + [UInt8(value)]
    }
}
