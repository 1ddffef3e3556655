import Foundation
import TockCore
import TockTestSupport
import XCTest

/// One key's flood does not hold up another key's few: 10,000 runs of key `a` and 100 of key `b`, neither with
/// limits, all due at the same instant, on a real `tock shard` process with two `tock executor` processes.
///
/// The bound: the leader publishes lanes in turn, one run each, so `b`'s 100 go out among the first 200 runs of
/// the first round (of up to 1,024), while `a`'s 10,000 take several seconds to get through the executors. Each of
/// `b`'s runs is called within 2 s of its due time (p99), where without the turns it would wait behind the flood.
final class FlowFairnessTests: ShardProcessTestCase {
    let flood = 10_000
    let few = 100
    let boundMs = 2_000.0

    func testAFloodOnOneKeyDoesNotDelayAFewRunsOfAnother() async throws {
        try await executors.start(2)
        // Every run is due at `dueNs`, which must come after the last batch is stored: `a`'s first, so `b`'s
        // lane is the second in line.
        let lead: Duration = .seconds(8)
        let submittedAt = ContinuousClock.now
        let dueNs = SystemWallClock().nowNs() + lead.nanoseconds
        let runAt = RFC3339.format(ns: dueNs)
        func jobs(_ key: String, _ count: Int) -> [String] {
            let job = #"{"url": "\#(tock.sink.baseURL)/\#(key)", "run_at": "\#(runAt)", "flow": {"key": "\#(key)"}}"#
            return Array(repeating: job, count: count)
        }
        let flooding = try await tock.submitBatch(jobs("a", flood), base: shard.base)
        let waiting = try await tock.submitBatch(jobs("b", few), base: shard.base)
        let submitting = ContinuousClock.now - submittedAt
        print("flow fairness: \(flood + few) jobs submitted in \(submitting)")
        XCTAssertLessThan(submitting, lead, "the jobs were not all stored before they were due")

        let arrivals = try await SinkArrivals.awaitAll(flooding + waiting, at: tock.sink, within: lead + .seconds(60))
        let first = arrivals.firstCallNs
        let b = LatencySummary(samplesNs: waiting.map { first[$0]! - dueNs })
        let a = LatencySummary(samplesNs: flooding.map { first[$0]! - dueNs })
        func figures(_ s: LatencySummary) -> String {
            String(format: "p50 %.0f ms, p99 %.0f ms, max %.0f ms", s.p50Ms, s.p99Ms, s.maxMs)
        }
        print(
            "flow fairness: wait for a call after the due time: b (\(few)): \(figures(b)); a (\(flood)): \(figures(a))")
        XCTAssertLessThan(b.p99Ms, boundMs, "b's runs waited behind a's flood")
        XCTAssertGreaterThan(a.maxMs, boundMs, "a's flood drained within the bound: the test shows nothing")
        XCTAssertEqual(arrivals.repeatedCalls, 0, "every run called exactly once")
    }
}
