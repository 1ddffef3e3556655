import TockCore
import TockModel
import XCTest

/// Weighted picking follows the weights under saturation, gives an idle priority's share to the others, does not
/// let a returning priority burst, and strict mode always serves the most urgent priority with work.
final class PriorityPickerTests: XCTestCase {
    let weights: [Priority: Int] = [.critical: 8, .high: 4, .normal: 2, .low: 1]

    func counts(_ picker: inout PriorityPicker, waiting: Set<Priority>, picks: Int) -> [Priority: Int] {
        var counts: [Priority: Int] = [:]
        for _ in 0..<picks { counts[picker.pick(waiting: waiting)!, default: 0] += 1 }
        return counts
    }

    func testSaturatedPicksFollowTheWeightsExactly() {
        var picker = PriorityPicker(mode: .weighted, weights: weights)
        let counts = counts(&picker, waiting: Set(Priority.allCases), picks: 1500)
        XCTAssertEqual(counts, [.critical: 800, .high: 400, .normal: 200, .low: 100])
    }

    func testEveryWindowIsFairNotOnlyTheTotal() {
        var picker = PriorityPicker(mode: .weighted, weights: weights)
        for _ in 0..<20 {
            let window = counts(&picker, waiting: Set(Priority.allCases), picks: 15)
            XCTAssertEqual(window, [.critical: 8, .high: 4, .normal: 2, .low: 1])
        }
    }

    func testAnIdlePrioritysShareGoesToTheOthers() {
        var picker = PriorityPicker(mode: .weighted, weights: weights)
        let counts = counts(&picker, waiting: [.high, .low], picks: 500)
        XCTAssertEqual(counts, [.high: 400, .low: 100])
    }

    func testAPriorityBackFromIdleGetsItsShareButNoBurst() {
        var picker = PriorityPicker(mode: .weighted, weights: [.critical: 1, .low: 1])
        _ = counts(&picker, waiting: [.low], picks: 1000)
        let after = counts(&picker, waiting: [.critical, .low], picks: 10)
        XCTAssertLessThanOrEqual(after[.critical] ?? 0, 6, "the returning priority claimed the time it was idle")
        XCTAssertGreaterThanOrEqual(after[.critical] ?? 0, 4)
    }

    func testTheLowestWeightIsNeverStarved() {
        var picker = PriorityPicker(mode: .weighted, weights: [.critical: 1000, .low: 1])
        let counts = counts(&picker, waiting: [.critical, .low], picks: 3003)
        XCTAssertEqual(counts[.low], 3)
    }

    func testStrictServesTheMostUrgentWaitingPriority() {
        var picker = PriorityPicker(mode: .strict, weights: weights)
        XCTAssertEqual(picker.pick(waiting: Set(Priority.allCases)), .critical)
        XCTAssertEqual(picker.pick(waiting: [.normal, .low]), .normal)
        XCTAssertEqual(picker.pick(waiting: [.low]), .low)
        XCTAssertNil(picker.pick(waiting: []))
    }
}
