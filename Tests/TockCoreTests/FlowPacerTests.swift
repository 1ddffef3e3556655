import TockCore
import TockModel
import XCTest

/// The flow pacer spaces releases evenly and bounds any window of one period to count + burst - 1.
final class FlowPacerTests: XCTestCase {
    let ms: Int64 = 1_000_000

    /// Takes whenever allowed, polling every `stepNs`, and returns the release times.
    func releases(_ rate: FlowRate, from start: Int64 = 0, for span: Int64, stepNs: Int64) -> [Int64] {
        var pacer = FlowPacer(nowNs: start, rate: rate)
        var times: [Int64] = []
        var now = start
        while now < start + span {
            while pacer.take(nowNs: now, rate: rate) { times.append(now) }
            now += stepNs
        }
        return times
    }

    func maxInAnyWindow(_ times: [Int64], windowNs: Int64) -> Int {
        var most = 0
        var low = 0
        for high in times.indices {
            while times[high] - times[low] >= windowNs { low += 1 }
            most = max(most, high - low + 1)
        }
        return most
    }

    func testTwentyASecondAreFiftyMillisecondsApart() {
        let rate = FlowRate(count: 20, periodNs: FlowRate.second)
        XCTAssertEqual(FlowPacer.burst(of: rate), 1)
        let times = releases(rate, for: 2_000 * ms, stepNs: ms)
        XCTAssertEqual(times.count, 40)
        XCTAssertEqual(Set(zip(times.dropFirst(), times).map { $0 - $1 }), [50 * ms])
        XCTAssertEqual(maxInAnyWindow(times, windowNs: FlowRate.second), 20)
    }

    func testANewPacerHasNoBurstButAnIdleOneHasItsBurstOnly() {
        let rate = FlowRate(count: 5_000, periodNs: FlowRate.second)
        XCTAssertEqual(FlowPacer.burst(of: rate), 100)
        var pacer = FlowPacer(nowNs: 0, rate: rate)
        var atStart = 0
        while pacer.take(nowNs: 0, rate: rate) { atStart += 1 }
        XCTAssertEqual(atStart, 1, "a new leader adds no burst to what the last one released")
        var afterIdle = 0
        while pacer.take(nowNs: 10_000 * ms, rate: rate) { afterIdle += 1 }
        XCTAssertEqual(afterIdle, 100)
        XCTAssertTrue(pacer.isIdle(nowNs: 10_100 * ms))
        XCTAssertFalse(pacer.isIdle(nowNs: 10_000 * ms))
    }

    func testAnyWindowOfOnePeriodHoldsAtMostTheRatePlusTheBurst() {
        for (count, period) in [
            (20, FlowRate.second), (5_000, FlowRate.second), (600, FlowRate.minute), (7, FlowRate.second),
        ] {
            let rate = FlowRate(count: UInt32(count), periodNs: period)
            let burst = Int(FlowPacer.burst(of: rate))
            // Polled coarsely, and with idle spells, which is where bursts come from.
            var times = releases(rate, for: 3 * period, stepNs: 3 * ms)
            times += releases(rate, from: 5 * period, for: 2 * period, stepNs: 7 * ms)
            XCTAssertLessThanOrEqual(maxInAnyWindow(times, windowNs: period), count + burst - 1, "\(rate)")
        }
    }

    func testExtremeValuesDoNotTrap() {
        for rate in [
            FlowRate(count: 1_000_000, periodNs: 1), FlowRate(count: .max, periodNs: .max),
            FlowRate(count: 1, periodNs: .max), FlowRate(count: 0, periodNs: 0),
        ] {
            var pacer = FlowPacer(nowNs: .max - 1, rate: rate)
            _ = pacer.take(nowNs: .max, rate: rate)
            _ = pacer.take(nowNs: .min, rate: rate)
            _ = pacer.nextReleaseNs(rate: rate)
            var early = FlowPacer(nowNs: .min, rate: rate)
            _ = early.take(nowNs: .min, rate: rate)
        }
    }
}
