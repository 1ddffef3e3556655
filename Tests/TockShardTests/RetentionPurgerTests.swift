import Foundation
import Logging
import Synchronization
import TockCore
import TockModel
import TockSQLite
import TockWire
import XCTest

@testable import TockShard

/// The purger's passes against a real SQLite file, with a log that applies what it is given at once and a clock
/// the test sets: the entries it proposes are bounded, carry the cutoff, and drain a backlog.
final class RetentionPurgerTests: XCTestCase {
    /// Commits every proposal by applying it, as a group of one would.
    final class ApplyingLog: ReplicatedLog {
        let database: DatabaseQueue
        let proposed = Mutex<[ShardCommand]>([])
        let failing = Mutex(false)

        init(database: DatabaseQueue) { self.database = database }

        func propose(_ command: ShardCommand) async throws -> ApplyResult {
            if failing.withLock({ $0 }) { throw CancellationError() }
            proposed.withLock { $0.append(command) }
            return try await database.write { try JobStateMachine(shard: 0).apply(command, in: $0) }
        }
    }

    struct FixedClock: WallClock {
        let ns: Int64
        func nowNs() -> Int64 { ns }
    }

    var directory: URL!
    var database: DatabaseQueue!
    var log: ApplyingLog!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tock-purger-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        database = try DatabaseQueue(path: directory.appendingPathComponent("shard.sqlite").path)
        try database.syncWrite { try ShardSchema.migrate($0) }
        log = ApplyingLog(database: database)
    }

    override func tearDownWithError() throws {
        log = nil
        database = nil
        ShardTestDatabase.remove(directory)
    }

    private func purger(retentionNs: Int64 = 1000, batch: Int = 500, nowNs: Int64) -> RetentionPurger {
        RetentionPurger(
            database: database, log: log, clock: FixedClock(ns: nowNs), logger: Logger(label: "test"),
            metrics: ShardMetrics(shard: 0),
            policy: RetentionPolicy(retentionNs: retentionNs, batch: batch))
    }

    /// `count` one-time jobs cancelled at `atNs`.
    private func cancelledJobs(_ count: Int, atNs: Int64) async throws {
        let specs = (0..<count).map { index in
            JobSpec(
                id: String(format: "j%04d", index), priority: .normal,
                target: HTTPTarget(url: "http://h/p", method: "POST", headers: [], body: []), timeoutMs: 1000,
                maxAttempts: 1, idempotencyKey: "", dueAtNs: atNs)
        }
        _ = try await log.propose(.createJobs(specs, createdAtNs: 0))
        for spec in specs { _ = try await log.propose(.cancelJob(jobID: spec.id, atNs: atNs)) }
        log.proposed.withLock { $0.removeAll() }
    }

    private func jobCount() async throws -> Int64 {
        try await database.read { db in try db.statement("SELECT count(*) FROM jobs").first { $0.int64(0) } ?? -1 }
    }

    func testABacklogIsPurgedInBoundedEntriesThenThePurgerFindsNothing() async throws {
        try await cancelledJobs(25, atNs: 100)
        let purger = purger(batch: 10, nowNs: 5000)
        var outcomes: [RetentionPolicy.Outcome] = []
        for _ in 0..<4 { outcomes.append(await purger.pass()) }
        XCTAssertEqual(outcomes, [.purged(full: true), .purged(full: true), .purged(full: false), .nothing])
        let proposed = log.proposed.withLock { $0 }
        XCTAssertEqual(proposed.count, 3)
        for command in proposed {
            guard case .purgeFinished(let cutoffNs, let jobIDs, let runs) = command else {
                return XCTFail("\(command)")
            }
            XCTAssertEqual(cutoffNs, 4000)
            XCTAssertLessThanOrEqual(jobIDs.count, 10)
            XCTAssertEqual(runs, [])
        }
        let count = try await jobCount()
        XCTAssertEqual(count, 0)
    }

    func testJobsYoungerThanTheRetentionStay() async throws {
        try await cancelledJobs(3, atNs: 4500)
        let outcome = await purger(nowNs: 5000).pass()
        XCTAssertEqual(outcome, .nothing)
        let count = try await jobCount()
        XCTAssertEqual(count, 3)
    }

    func testRetentionZeroDoesNothingAtAll() async throws {
        try await cancelledJobs(3, atNs: 100)
        let purger = purger(retentionNs: 0, nowNs: .max)
        await purger.run()  // returns at once
        XCTAssertEqual(log.proposed.withLock { $0 }, [])
    }

    func testAFailedProposalCountsConsecutiveFailuresUntilOneSucceeds() async throws {
        try await cancelledJobs(3, atNs: 100)
        let purger = purger(nowNs: 5000)
        log.failing.withLock { $0 = true }
        let first = await purger.pass()
        let second = await purger.pass()
        XCTAssertEqual([first, second], [.failed(consecutive: 1), .failed(consecutive: 2)])
        log.failing.withLock { $0 = false }
        let third = await purger.pass()
        XCTAssertEqual(third, .purged(full: false))
    }
}
