import Foundation
import TockTestSupport
import XCTest

/// A flow's limits hold through a kill -9 of its shard's leader: a 3-node shard of `tock shard` processes, two
/// `tock executor` processes, 150 runs due at once on a key limited to 10/s and concurrency 2, each call held
/// 150 ms by the sink (so both limits bite: two calls of about 200 ms with the completion's way back make about
/// 10/s). The new leader counts the runs out from the replicated job table and starts its pacer with no burst.
///
/// The tolerance is the rate test's (`FlowLimitTests`): at most 10 + 2 calls in any one-second window, for the
/// executors' jitter; calls open at once stay at 2 exactly, as they do not depend on timing.
final class FlowLeaderKillTests: XCTestCase {
    var tock: TockHarness!
    var cluster: ShardClusterProcesses!
    var executors: ExecutorProcesses!

    override func setUp() async throws {
        tock = try await TockHarness.start(shard: false, executor: false)
        cluster = ShardClusterProcesses(harness: tock)
        executors = ExecutorProcesses(harness: tock)
    }

    override func tearDown() async throws {
        executors?.stopAll()
        cluster?.stopAll()
        if (testRun?.totalFailureCount ?? 0) > 0 {
            cluster?.printLogs()
            executors?.printLogs()
        }
        await tock?.shutdown()
    }

    func testRateAndConcurrencyHoldThroughALeaderKill() async throws {
        for node in cluster.names { try cluster.start(node) }
        let leader = try await cluster.awaitLeader()
        let survivors = cluster.names.filter { $0 != leader }
        try await executors.start(2)
        try await executors.warmUp(through: cluster.base(leader))

        let job =
            #"{"url": "\#(tock.sink.baseURL)/slow/150", "flow": {"key": "partner-k", "rate": "10/s", "concurrency": 2}}"#
        let ids = try await tock.submitBatch(Array(repeating: job, count: 150), base: cluster.base(leader))
        _ = try await eventually(within: .seconds(30), "60 runs called before the kill") {
            SinkArrivals(tock.sink).calls.count >= 60 ? true : nil
        }
        cluster.kill(leader)
        let calledAtKill = SinkArrivals(tock.sink).calls.count
        let newLeader = try await cluster.awaitLeader(among: survivors, within: .seconds(10)) { $0 != leader }

        let arrivals = try await SinkArrivals.awaitAll(ids, at: tock.sink, within: .seconds(60))

        let most = arrivals.mostInAnyWindow(widthNs: 1_000_000_000)
        let open = tock.sink.mostConcurrentRequests
        print(
            "flow 10/s and concurrency 2 through a leader kill (after \(calledAtKill) of 150 calls): "
                + "at most \(most) calls in any 1 s window, at most \(open) open at once; "
                + "\(arrivals.repeatedCalls) repeated calls; first to last call "
                + String(format: "%.2f s", Double(arrivals.spanNs) / 1e9))
        XCTAssertLessThanOrEqual(open, 2, "calls of the key open at once at the sink")
        XCTAssertLessThanOrEqual(most, 12, "calls in one second at the sink (10/s, tolerance 2)")
        // A completion the old leader had taken from TOCK_DONE and not yet committed comes back to the new one after
        // the completions' ack wait (30 s).
        for id in ids {
            _ = try await tock.waitForState(id, "succeeded", within: .seconds(60), base: cluster.base(newLeader))
        }
    }

    /// Calls longer than the failover: the new leader must count the two calls still open from the job table before
    /// it lets out any run of the key, or a third and fourth call would open beside them.
    func testANewLeaderCountsTheCallsStillOpen() async throws {
        for node in cluster.names { try cluster.start(node) }
        let leader = try await cluster.awaitLeader()
        let survivors = cluster.names.filter { $0 != leader }
        try await executors.start(2)
        try await executors.warmUp(through: cluster.base(leader))

        let job = #"{"url": "\#(tock.sink.baseURL)/slow/4000", "flow": {"key": "partner-long", "concurrency": 2}}"#
        let ids = try await tock.submitBatch(Array(repeating: job, count: 6), base: cluster.base(leader))
        _ = try await eventually(within: .seconds(10), "two calls open before the kill") {
            SinkArrivals(tock.sink).calls.count >= 2 ? true : nil
        }
        // Their "published" commits follow their publishes at once; the kill must not race them.
        let flow = try await eventually(within: .seconds(5), "the leader to count the two runs in flight") {
            let reply = try? await tock.request(.GET, "/v1/flows/partner-long", base: cluster.base(leader))
            return reply?["in_flight"]?.int == 2 ? reply : nil
        }
        XCTAssertEqual(flow["held_back"]?.int, 4)
        cluster.kill(leader)
        let newLeader = try await cluster.awaitLeader(among: survivors, within: .seconds(10)) { $0 != leader }
        _ = try await SinkArrivals.awaitAll(ids, at: tock.sink, within: .seconds(60))
        print(
            "concurrency 2 through a leader kill, 4 s calls: at most \(tock.sink.mostConcurrentRequests) open at once")
        XCTAssertEqual(tock.sink.mostConcurrentRequests, 2, "calls of the key open at once at the sink")
        for id in ids {
            _ = try await tock.waitForState(id, "succeeded", within: .seconds(60), base: cluster.base(newLeader))
        }
    }
}
