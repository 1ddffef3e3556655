import TockWire
import XCTest

final class JobSpecWireTests: XCTestCase {
    func testRoundTripEveryPriority() throws {
        for priority in Priority.allCases {
            let spec = Fixtures.jobSpec(priority: priority)
            XCTAssertEqual(try JobSpec(decoding: spec.encoded()), spec, "\(priority)")
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
}
