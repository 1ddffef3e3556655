import Foundation
import TockModel
import TockSQLite
import TockWire
import XCTest

@testable import TockShard

/// Under a constant load — jobs created, published, done, and a recurring job running all along — a shard whose
/// retention purges what finished a few rounds ago stops growing: SQLite reuses the pages deleted rows freed, so
/// after a warm-up the file's page count stays flat. Without the purge the same load grows it every round.
final class RetentionFileSizeTests: XCTestCase {
    let machine = JobStateMachine(shard: 0)
    let jobsPerRound = 200
    let runsPerRound: UInt32 = 50
    let roundNs: Int64 = 1_000_000_000

    private func apply(_ command: ShardCommand, in db: Database) throws -> ApplyResult {
        try db.transaction { try machine.apply(command, in: db) }
    }

    private func pageCount(_ db: Database) throws -> Int64 {
        try db.statement("PRAGMA page_count").first { $0.int64(0) } ?? 0
    }

    /// One round at `round`'s time: new jobs through their whole life, and more runs of the recurring job.
    private func load(round: Int, in db: Database) throws {
        let nowNs = Int64(round) * roundNs
        let specs = (0..<jobsPerRound).map { index in
            JobSpec(
                id: "j-\(round)-\(index)", priority: .normal,
                target: HTTPTarget(
                    url: "http://example.com/hook/\(index)", method: "POST",
                    headers: [Header(name: "X-Round", value: "\(round)")],
                    body: Array(repeating: UInt8(index % 251), count: 1024)),
                timeoutMs: 1000, maxAttempts: 1, idempotencyKey: "key-\(round)-\(index)", dueAtNs: nowNs)
        }
        _ = try apply(.createJobs(specs, createdAtNs: nowNs), in: db)
        _ = try apply(
            .markPublished(
                specs.enumerated().map { index, spec in
                    PublishedRun(
                        jobID: spec.id, run: 1, streamSequence: UInt64(round * jobsPerRound + index),
                        publishedAtNs: nowNs + 1)
                }), in: db)
        _ = try apply(
            .markDone(
                specs.map { spec in
                    Completion(
                        jobID: spec.id, run: 1, shard: 0, outcome: .succeeded, httpStatus: 200, attempts: 1,
                        startedAtNs: nowNs + 2, finishedAtNs: nowNs + 3, executorID: "executor-1", error: "")
                }, atNs: nowNs + 4), in: db)

        guard let recurring = try JobRows.find(id: "every", in: db) else { return XCTFail("no recurring job") }
        for offset in 0..<runsPerRound {
            let run = recurring.run + offset
            let at = nowNs + 10 + Int64(offset) * 10
            _ = try apply(
                .markPublished([
                    PublishedRun(
                        jobID: "every", run: run, streamSequence: UInt64(run),
                        publishedAtNs: at, nextDueAtNs: at + 10)
                ]), in: db)
            _ = try apply(
                .markDone(
                    [
                        Completion(
                            jobID: "every", run: run, shard: 0, outcome: .succeeded,
                            httpStatus: 200, attempts: 1, startedAtNs: at, finishedAtNs: at + 5,
                            executorID: "executor-1", error: "")
                    ], atNs: at + 5), in: db)
        }
    }

    /// What the leader's outcome relay does after publishing: the outbox's events deleted, a batch at a time.
    private func relayOutbox(in db: Database) throws {
        while case let events = try OutboxRows.oldest(limit: 256, in: db), !events.isEmpty {
            _ = try apply(.deleteEvents(events.map(\.key)), in: db)
        }
    }

    /// What the leader's purger would do at `round`'s time with a retention of two rounds, until nothing is left.
    private func purge(round: Int, in db: Database) throws {
        let policy = RetentionPolicy(retentionNs: 2 * roundNs, batch: 500)
        let cutoffNs = policy.cutoffNs(nowNs: Int64(round) * roundNs)
        while true {
            let runs = try RetentionScan.runs(before: cutoffNs, limit: policy.batch, in: db)
            let jobs =
                runs.count < policy.batch
                ? try RetentionScan.jobs(before: cutoffNs, limit: policy.batch - runs.count, in: db) : []
            let batch = policy.batch(runs: runs, jobs: jobs)
            if batch.isEmpty { return }
            _ = try apply(.purgeFinished(cutoffNs: cutoffNs, jobIDs: batch.jobIDs, runs: batch.runs), in: db)
        }
    }

    /// Page counts after each of `rounds` rounds.
    private func pages(rounds: Int, purging: Bool) throws -> [Int64] {
        let (directory, db) = try ShardTestDatabase.make("tock-retention-size")
        defer { ShardTestDatabase.remove(directory) }
        let recurring = JobSpec(
            id: "every", priority: .normal,
            target: HTTPTarget(
                url: "http://example.com/tick", method: "POST", headers: [],
                body: []),
            timeoutMs: 1000, maxAttempts: 1, idempotencyKey: "", dueAtNs: roundNs,
            schedule: Schedule(cron: "@every 1s"))
        _ = try apply(.createJob(recurring, createdAtNs: 0), in: db)
        return try (1...rounds).map { round in
            try load(round: round, in: db)
            try relayOutbox(in: db)
            if purging { try purge(round: round, in: db) }
            return try pageCount(db)
        }
    }

    func testUnderConstantLoadThePurgedFileStopsGrowing() throws {
        let purged = try pages(rounds: 40, purging: true)
        let kept = try pages(rounds: 12, purging: false)
        // The B-trees settle over the first rounds (a page or two more as their pages split); then nothing.
        XCTAssertEqual(purged[20...].max(), purged[19], "pages after each round: \(purged)")
        let aRound = kept[11] - kept[10]
        XCTAssertGreaterThan(aRound, 0, "without the purge the file grows every round: \(kept)")
        XCTAssertLessThan(purged[39] - purged[9], aRound, "pages after each round: \(purged)")
    }
}
