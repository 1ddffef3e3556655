import Foundation
import TockModel
import TockWire
import XCTest

final class PriorityTests: XCTestCase {
    func testMoreUrgentSortsFirst() {
        XCTAssertEqual([Priority.low, .critical, .normal, .high].sorted(), [.critical, .high, .normal, .low])
        XCTAssertLessThan(Priority.critical, .high)
        XCTAssertLessThan(Priority.normal, .low)
        XCTAssertFalse(Priority.low < .low)
    }

    func testJSONNames() throws {
        let encoded = try JSONEncoder().encode([Priority.critical, .low])
        XCTAssertEqual(String(decoding: encoded, as: UTF8.self), #"["critical","low"]"#)
        let outcome = try JSONEncoder().encode([Outcome.gaveUp])
        XCTAssertEqual(String(decoding: outcome, as: UTF8.self), #"["gave_up"]"#)
    }
}
