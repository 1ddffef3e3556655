import Foundation
import TockCore
import TockModel
import TockSQLite
import TockWire
import XCTest

@testable import TockShard

/// Commands the state machine cannot store or show are rejected, alike on every replica, and change nothing.
extension JobStateMachineTests {
    private static let createdAtNs: Int64 = 1_765_000_000_000_000_000  // 2025-12-06

    private func applyOrReject(_ command: ShardCommand, in db: Database? = nil) throws -> ApplyResult {
        let db = db ?? self.db!
        return try db.transaction { try machine.applyOrReject(command, in: db) }
    }

    private func jobCount(in db: Database? = nil) throws -> Int64 {
        try (db ?? self.db!).statement("SELECT count(*) FROM jobs").first { $0.int64(0) } ?? -1
    }

    func testACreateWithTimesOutsideTheWindowOrABadCronIsRejectedAndStoresNothing() throws {
        let year1677: Int64 = -9_223_372_036_000_000_000
        var cases: [(spec: JobSpec, field: String)] = []
        for due in [Int64.min, .max, year1677] {
            var one = spec("j-due-\(due)")
            one.dueAtNs = due
            cases.append((one, "run_at"))
        }
        var start = spec("j-start")
        start.schedule = Schedule(cron: "* * * * *", startAtNs: year1677)
        cases.append((start, "schedule.start"))
        var end = spec("j-end")
        end.schedule = Schedule(cron: "* * * * *", endAtNs: .max)
        cases.append((end, "schedule.end"))
        var cron = spec("j-cron")
        cron.schedule = Schedule(cron: "@every 1000000d")
        cases.append((cron, "schedule.cron"))
        cases.append((spec(""), "id"))

        for (one, field) in cases {
            let result = try applyOrReject(.createJob(one, createdAtNs: Self.createdAtNs))
            guard case .rejected(let problem) = result else {
                XCTFail("\(field): \(result)")
                continue
            }
            XCTAssertEqual(problem.field, field)
        }
        XCTAssertEqual(try jobCount(), 0)
    }

    func testABatchRejectsOnlyItsBadJobs() throws {
        var bad = spec("j-bad")
        bad.dueAtNs = .min
        var good = spec("j-good")
        good.dueAtNs = Self.createdAtNs
        let result = try applyOrReject(.createJobs([bad, good], createdAtNs: Self.createdAtNs))
        guard case .batch(let results) = result, results.count == 2 else { return XCTFail("\(result)") }
        guard case .rejected = results[0], case .created = results[1] else { return XCTFail("\(results)") }
        XCTAssertEqual(try jobCount(), 1)
    }

    /// A stored row that does not decode (headers that are not JSON) makes the cancel fail on its data: every
    /// replica holds the same row, so every replica rejects it, and the savepoint leaves the row as it was.
    func testACommandThatFailsOnTheStoredDataIsRejectedAndChangesNothing() throws {
        guard case .created = try apply(.createJob(spec("j1"), createdAtNs: 10)) else {
            return XCTFail("j1 was not created")
        }
        try db.statement("UPDATE jobs SET headers = ? WHERE id = 'j1'").run(Array("not json".utf8))

        let result = try applyOrReject(.cancelJob(jobID: "j1", atNs: 20))
        guard case .rejected(let problem) = result else { return XCTFail("\(result)") }
        XCTAssertEqual(problem.code, "rejected")
        let state = try db.statement("SELECT state, updated_at FROM jobs WHERE id = 'j1'").first {
            ($0.text(0), $0.int64(1))
        }
        XCTAssertEqual(state?.0, "scheduled")
        XCTAssertEqual(state?.1, 10)
        // The transaction around it goes on: a later command in the same batch applies.
        let next = try applyOrReject(.createJob(spec("j2"), createdAtNs: 30))
        guard case .created(let created) = next else { return XCTFail("\(next)") }
        XCTAssertEqual(created.id, "j2")
    }

    func testTwoReplicasApplyingTheSameLogHoldTheSameRows() throws {
        let other = try ShardTestDatabase.open("replica.sqlite", in: directory)
        var bad = spec("j-bad")
        bad.schedule = Schedule(cron: "* * * * *", startAtNs: .min)
        var good = spec("j-good")
        good.dueAtNs = Self.createdAtNs
        let log: [ShardCommand] = [
            .createJob(bad, createdAtNs: Self.createdAtNs),
            .createJob(good, createdAtNs: Self.createdAtNs),
            .cancelJob(jobID: "j-bad", atNs: Self.createdAtNs + 1),
        ]
        let here = try log.map { try applyOrReject($0) }
        let there = try log.map { try applyOrReject($0, in: other) }
        XCTAssertEqual(here, there)
        XCTAssertEqual(here.last, .notFound)
        func rows(_ db: Database) throws -> [[SQLValue]] {
            try db.statement("SELECT * FROM jobs ORDER BY id").map { row in
                (0..<row.columnCount).map { row.value($0) }
            }
        }
        XCTAssertEqual(try rows(db), try rows(other))
        XCTAssertEqual(try jobCount(), 1)
    }
}
