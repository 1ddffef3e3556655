import Foundation
@testable import TockShard
import TockSQLite
import TockWire
import XCTest

/// The one-node log on a real SQLite file: concurrent proposals all commit (sharing fsyncs), each gets its own
/// result, and a reopened log continues where it stopped.
final class LocalLogTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tock-log-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func openLog() throws -> (LocalLog, DatabaseQueue) {
        let database = try DatabaseQueue(path: directory.appendingPathComponent("shard.sqlite").path)
        try database.syncWrite { try ShardSchema.migrate($0) }
        return (try LocalLog(database: database, stateMachine: JobStateMachine(shard: 0)), database)
    }

    func create(_ id: String) -> ShardCommand {
        .createJob(JobSpec(id: id, priority: .normal, target: HTTPTarget(url: "http://h/", method: "POST", headers: [], body: []),
                           timeoutMs: 1000, maxAttempts: 1, idempotencyKey: "", dueAtNs: 0), createdAtNs: 1)
    }

    func testConcurrentProposalsAllCommitAndSurviveReopen() async throws {
        var (log, database) = try openLog()
        let firstLog = log
        let commands = (0..<500).map { create("job-\($0)") }
        let results = try await withThrowingTaskGroup(of: ApplyResult.self) { group in
            for command in commands { group.addTask { try await firstLog.propose(command) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(results.count, 500)
        XCTAssertTrue(results.allSatisfy { if case .created = $0 { true } else { false } })
        let applied = try await database.read { db in
            try db.statement("SELECT value FROM tock_meta WHERE key = 'applied_index'").first { $0.int64(0) }
        }
        XCTAssertEqual(applied, 500)

        (log, database) = try openLog()
        let again = try await log.propose(create("job-after-reopen"))
        guard case .created = again else { return XCTFail("\(again)") }
        let count = try await database.read { db in try db.statement("SELECT COUNT(*) FROM jobs").first { $0.int(0) } }
        XCTAssertEqual(count, 501)
        let last = try await database.read { db in
            try db.statement("SELECT MAX(idx) FROM command_log").first { $0.int64(0) }
        }
        XCTAssertEqual(last, 501)
    }
}
