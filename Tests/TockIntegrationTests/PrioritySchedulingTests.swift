import Foundation
import TockCore
import TockExecutor
import TockModel
import TockNATS
import TockTestSupport
import TockWire
import XCTest

/// With every priority backlogged and the executor saturated, the runs it completes follow the configured weights
/// (each within 5 percentage points), and in strict mode a lower priority runs only while higher ones are empty.
/// Real nats-server, real shard, real webhooks (a sink that takes 20 ms per call).
final class PrioritySchedulingTests: XCTestCase {
    var tock: TockHarness!
    let perPriority = 150

    override func setUp() async throws {
        tock = try await TockHarness.start(executor: false)
    }

    override func tearDown() async throws {
        await tock?.shutdown()
    }

    /// Submits `perPriority` slow jobs of each priority and waits until all are published (the backlog).
    func fillBacklog() async throws {
        let tock: TockHarness = self.tock
        let count = perPriority
        try await withThrowingTaskGroup(of: Void.self) { group in
            for priority in Priority.allCases {
                group.addTask {
                    for _ in 0..<count {
                        let reply = try await tock.submit(
                            #"{"url": "\#(tock.sink.baseURL)/slow/20", "priority": "\#(priority.rawValue)"}"#)
                        XCTAssertEqual(reply.status, 201)
                    }
                }
            }
            try await group.waitForAll()
        }
        let connection = try NATSConnection.connect(url: tock.nats.url)
        defer { connection.close() }
        let js = try connection.jetStream()
        _ = try await eventually(within: .seconds(30), "the whole backlog in the jobs stream") {
            try Priority.allCases.map { try js.streamInfo(Subjects.jobsStream(priority: $0)).messages }.reduce(0, +)
                == UInt64(4 * self.perPriority) ? true : nil
        }
    }

    /// Finished runs per priority once `total` have finished, while every priority still has a backlog.
    func finishedShares(total: Int) async throws -> [Priority: Double] {
        let executor = try XCTUnwrap(tock.executor)
        let finished = try await eventually(within: .seconds(60), "\(total) finished runs") { () -> [Priority: Int]? in
            let counts = executor.stats.finishedByPriority
            return counts.values.reduce(0, +) >= total ? counts : nil
        }
        let sum = Double(finished.values.reduce(0, +))
        XCTAssertTrue(finished.values.allSatisfy { $0 < perPriority }, "a priority ran out of backlog: \(finished)")
        return Dictionary(uniqueKeysWithValues: Priority.allCases.map { ($0, Double(finished[$0] ?? 0) / sum) })
    }

    func testWeightedSharesFollowTheConfiguredWeights() async throws {
        try await fillBacklog()
        tock.startExecutor(backoffBase: .milliseconds(200)) {
            $0.concurrency = 4
            $0.fetchBatch = 8
            $0.scheduling = .weighted
            $0.weights = [.critical: 4, .high: 3, .normal: 2, .low: 1]
        }
        let shares = try await finishedShares(total: 250)
        XCTAssertLessThanOrEqual(tock.sink.mostConcurrentRequests, 4, "more webhooks in flight than the concurrency")
        let expected: [Priority: Double] = [.critical: 0.4, .high: 0.3, .normal: 0.2, .low: 0.1]
        for priority in Priority.allCases {
            XCTAssertEqual(shares[priority]!, expected[priority]!, accuracy: 0.05, "\(priority): \(shares)")
        }
    }

    func testStrictServesLowerPrioritiesOnlyWhenHigherOnesAreEmpty() async throws {
        try await fillBacklog()
        tock.startExecutor(backoffBase: .milliseconds(200)) {
            $0.concurrency = 4
            $0.fetchBatch = 8
            $0.scheduling = .strict
        }
        let shares = try await finishedShares(total: 100)
        XCTAssertGreaterThanOrEqual(shares[.critical]!, 0.97, "\(shares)")
        let executor = try XCTUnwrap(tock.executor)
        _ = try await eventually(within: .seconds(60), "critical to drain and high to take over") {
            executor.stats.finishedByPriority[.critical] == perPriority
                && (executor.stats.finishedByPriority[.high] ?? 0) >= 40 ? true : nil
        }
        let counts = executor.stats.finishedByPriority
        XCTAssertLessThanOrEqual(
            (counts[.normal] ?? 0) + (counts[.low] ?? 0), 8,
            "lower priorities ran while higher ones had work: \(counts)")
    }

    /// A reload (SIGHUP) from weighted to strict reaches the running dispatch loop: once it is applied, at most the
    /// runs already fetched of lower priorities finish before critical has drained.
    func testAReloadToStrictTakesEffectWhileRunning() async throws {
        try await fillBacklog()
        tock.startExecutor(backoffBase: .milliseconds(200)) {
            $0.concurrency = 4
            $0.fetchBatch = 8
            $0.scheduling = .weighted
            $0.weights = [.critical: 1, .high: 1, .normal: 1, .low: 1]
        }
        let executor = try XCTUnwrap(tock.executor)
        _ = try await finishedShares(total: 40)
        var strict = QueueConfig()
        strict.executor.concurrency = 4
        strict.executor.fetchBatch = 8
        strict.executor.scheduling = .strict
        executor.reload(strict)
        let before = executor.stats.finishedByPriority
        _ = try await eventually(within: .seconds(60), "critical to drain after the reload") {
            executor.stats.finishedByPriority[.critical] == perPriority ? true : nil
        }
        let after = executor.stats.finishedByPriority
        let lower = [Priority.high, .normal, .low].map { (after[$0] ?? 0) - (before[$0] ?? 0) }.reduce(0, +)
        // Runs in flight or fetched before the reload (concurrency 4, a fetch of 8 per priority) may still finish.
        XCTAssertLessThanOrEqual(
            lower, 4 + 3 * 8, "lower priorities kept running after the reload: \(before) → \(after)")
        XCTAssertGreaterThan(perPriority - (before[.critical] ?? 0), 60, "critical had drained before the reload")
    }
}
