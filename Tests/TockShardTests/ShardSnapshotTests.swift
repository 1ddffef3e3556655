import Foundation
import TockModel
import TockSQLite
import TockWire
import XCTest

@testable import TockShard

/// Snapshot files of the job tables: a copy installs exactly, and one that does not fit (another index, columns
/// this node does not know) is refused with the tables as they were.
final class ShardSnapshotTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tock-shardsnap-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func shard(_ name: String, jobs: Range<Int>, applied: UInt64) throws -> Database {
        let db = try Database(path: path(name))
        try ShardSchema.migrate(db)
        let machine = JobStateMachine(shard: 0)
        try db.transaction {
            for i in jobs {
                let spec = JobSpec(
                    id: "\(name)-\(i)", priority: .high,
                    target: HTTPTarget(
                        url: "http://h/\(i)", method: "PUT", headers: [Header(name: "a", value: "b")],
                        body: [0, 1, 2, 255]),
                    timeoutMs: 1000, maxAttempts: 3, idempotencyKey: "key-\(i)", dueAtNs: Int64(i))
                _ = try machine.apply(.createJob(spec, createdAtNs: 1), in: db)
            }
            try db.execute("UPDATE tock_meta SET value = \(applied) WHERE key = 'applied_index'")
            try db.execute("INSERT INTO raft_nodes VALUES ('n9', '127.0.0.1:1', '127.0.0.1:2')")
        }
        return db
    }

    func dump(_ db: Database) throws -> [String] {
        var rows: [String] = []
        for table in ShardSnapshot.tables {
            rows += try db.statement("SELECT * FROM \(table) ORDER BY 1").map { row in
                (0..<row.columnCount).map { "\(row.value($0))" }.joined(separator: "|")
            }
        }
        return rows
    }

    func install(_ file: String, index: UInt64, into db: Database) throws {
        try db.attach(file, as: "snap", readOnly: true)
        defer { try? db.detach("snap") }
        try db.transaction { try ShardSnapshot.install(attachedAs: "snap", index: index, in: db) }
    }

    func testACopyInstallsExactlyAndReplacesWhatWasThere() throws {
        let leader = try shard("leader", jobs: 0..<500, applied: 42)
        let file = path("42.snapshot")
        XCTAssertEqual(try ShardSnapshot.capture(from: leader, into: file), 42)
        XCTAssertEqual(try ShardSnapshot.index(ofFileAt: file), 42)

        let follower = try shard("follower", jobs: 0..<10, applied: 7)
        try install(file, index: 42, into: follower)
        XCTAssertEqual(try dump(follower), try dump(leader))
        // Indexes were rebuilt along: the idempotency key still finds its job.
        XCTAssertEqual(try JobRows.find(idempotencyKey: "key-7", tenant: "", in: follower)?.id, "leader-7")
    }

    func testASnapshotThatDoesNotFitChangesNothing() throws {
        let leader = try shard("leader", jobs: 0..<50, applied: 42)
        let file = path("42.snapshot")
        _ = try ShardSnapshot.capture(from: leader, into: file)
        let follower = try shard("follower", jobs: 0..<10, applied: 7)
        let before = try dump(follower)

        XCTAssertThrowsError(try install(file, index: 43, into: follower), "another index")
        XCTAssertEqual(try dump(follower), before)

        // A snapshot from a newer schema, with a column this node lacks.
        let newer = path("newer.snapshot")
        try FileManager.default.copyItem(atPath: file, toPath: newer)
        let edit = try Database(path: newer)
        try edit.execute("ALTER TABLE job_runs ADD COLUMN from_the_future TEXT; ALTER TABLE jobs ADD COLUMN later TEXT")
        XCTAssertThrowsError(try install(newer, index: 42, into: follower))
        XCTAssertEqual(try dump(follower), before)
    }

    func testAFileThatIsNotAWholeSnapshotIsRefused() throws {
        let leader = try shard("leader", jobs: 0..<2_000, applied: 42)
        let file = path("42.snapshot")
        _ = try ShardSnapshot.capture(from: leader, into: file)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        let half = path("half.snapshot")
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: half))
        XCTAssertThrowsError(try ShardSnapshot.index(ofFileAt: half))
        let garbage = path("garbage.snapshot")
        try Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 7) }).write(to: URL(fileURLWithPath: garbage))
        XCTAssertThrowsError(try ShardSnapshot.index(ofFileAt: garbage))
    }
}
