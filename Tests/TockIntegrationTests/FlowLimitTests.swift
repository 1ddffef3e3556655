import Foundation
import TockTestSupport
import XCTest

/// A flow key's limits hold for the whole fleet: real `tock shard` and `tock executor` processes, a real
/// nats-server and a webhook sink that records when each call arrived and how many were open at once. Only the
/// flow's jobs call the sink, so what it sees is the key's traffic.
final class FlowLimitTests: ShardProcessTestCase {
    /// 500 runs due at once on a key limited to 20/s reach the sink at most 22 in any one-second window, and take
    /// at least 24 s in all.
    ///
    /// The tolerance: the leader releases the key's runs evenly, 50 ms apart (a pacer with a burst of one run at
    /// 20/s), so at the publish any window [t, t + 1 s) holds at most 20. Between the publish and the sink each
    /// run meets the executors' fetch and dispatch, which can delay one run and bunch it with the next: a window
    /// holds one run more for each 50 ms of that jitter. 22 allows up to 100 ms of it; 500 runs 50 ms apart span
    /// 24.95 s, of which 24 s allows the same at either end.
    func testAKeyLimitedTo20PerSecondNeverReachesTheSinkFasterAcrossTwoExecutors() async throws {
        try await executors.start(2)
        try await executors.warmUp(through: shard.base)
        let job = #"{"url": "\#(tock.sink.baseURL)/rated", "flow": {"key": "partner-a", "rate": "20/s"}}"#
        // One batch, so one log entry: the 500 are due together.
        let ids = try await tock.submitBatch(Array(repeating: job, count: 500), base: shard.base)
        let arrivals = try await SinkArrivals.awaitAll(ids, at: tock.sink, within: .seconds(60))

        let most = arrivals.mostInAnyWindow(widthNs: 1_000_000_000)
        let span = Double(arrivals.spanNs) / 1e9
        print(
            "flow rate 20/s, 500 runs, 2 executors: at most \(most) calls in any 1 s window; "
                + "first to last call \(String(format: "%.2f", span)) s (\(String(format: "%.2f", 499 / span))/s)")
        XCTAssertLessThanOrEqual(most, 22, "calls in one second at the sink (20/s, tolerance 2)")
        XCTAssertGreaterThanOrEqual(span, 24, "500 runs at 20/s went faster than the limit")
        XCTAssertEqual(arrivals.calls.count, 500, "every run called exactly once")
    }

    /// 30 runs due at once on a key limited to concurrency 2, three executors taking them, each call held 300 ms
    /// by the sink: never more than 2 calls open at the sink, and all complete.
    func testAKeyLimitedToConcurrency2NeverHasMoreThan2CallsOpenAcrossThreeExecutors() async throws {
        try await executors.start(3)
        let job = #"{"url": "\#(tock.sink.baseURL)/slow/300", "flow": {"key": "customer-b", "concurrency": 2}}"#
        let ids = try await tock.submitBatch(Array(repeating: job, count: 30), base: shard.base)
        let arrivals = try await SinkArrivals.awaitAll(ids, at: tock.sink, within: .seconds(60))
        for id in ids { _ = try await tock.waitForState(id, "succeeded", base: shard.base) }

        let most = tock.sink.mostConcurrentRequests
        print(
            "flow concurrency 2, 30 runs of 300 ms, 3 executors: at most \(most) calls open at the sink; "
                + "first to last call \(String(format: "%.2f", Double(arrivals.spanNs) / 1e9)) s")
        XCTAssertEqual(most, 2, "calls of the key open at once at the sink")
        XCTAssertEqual(arrivals.calls.count, 30, "every run called exactly once")
    }
}
