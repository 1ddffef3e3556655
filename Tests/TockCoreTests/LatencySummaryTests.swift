import TockCore
import XCTest

final class LatencySummaryTests: XCTestCase {
    func testNearestRankPercentilesInMilliseconds() {
        let summary = LatencySummary(samplesNs: (1...100).reversed().map { Int64($0) * 1_000_000 })
        XCTAssertEqual(summary, LatencySummary.make(count: 100, p50: 50, p90: 90, p99: 99, max: 100))
    }

    func testFewSamplesAndNone() {
        XCTAssertEqual(
            LatencySummary(samplesNs: [3_000_000]), LatencySummary.make(count: 1, p50: 3, p90: 3, p99: 3, max: 3))
        XCTAssertEqual(
            LatencySummary(samplesNs: [1_000_000, 9_000_000]),
            LatencySummary.make(count: 2, p50: 1, p90: 9, p99: 9, max: 9))
        XCTAssertEqual(LatencySummary(samplesNs: []), LatencySummary.make(count: 0, p50: 0, p90: 0, p99: 0, max: 0))
    }
}

extension LatencySummary {
    static func make(count: Int, p50: Double, p90: Double, p99: Double, max: Double) -> LatencySummary {
        var summary = LatencySummary(samplesNs: [])
        summary.count = count
        summary.p50Ms = p50
        summary.p90Ms = p90
        summary.p99Ms = p99
        summary.maxMs = max
        return summary
    }
}
