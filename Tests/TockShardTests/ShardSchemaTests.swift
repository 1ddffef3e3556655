import Foundation
import TockModel
import TockSQLite
import TockWire
import XCTest

@testable import TockShard

/// A file written by an older version keeps its jobs, and a snapshot from a node not yet upgraded still installs.
final class ShardSchemaTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tock-schema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// The tables a version 2 node wrote, with one published job in them.
    func versionTwoFile(_ name: String) throws -> Database {
        let db = try Database(path: directory.appendingPathComponent(name).path)
        try db.execute(
            """
            CREATE TABLE tock_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
            INSERT INTO tock_meta VALUES ('schema_version', 2), ('applied_index', 17);
            CREATE TABLE raft_nodes (node TEXT PRIMARY KEY, raft_address TEXT NOT NULL, http_address TEXT NOT NULL)
                STRICT;
            CREATE TABLE jobs (
                id TEXT PRIMARY KEY, shard INTEGER NOT NULL, state TEXT NOT NULL, priority TEXT NOT NULL,
                url TEXT NOT NULL, method TEXT NOT NULL, headers BLOB NOT NULL, body BLOB NOT NULL,
                timeout_ms INTEGER NOT NULL, max_attempts INTEGER NOT NULL, idempotency_key TEXT, run INTEGER NOT NULL,
                due_at INTEGER NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
                published_at INTEGER, stream_seq INTEGER, finished_at INTEGER, cancelled_at INTEGER,
                attempts INTEGER NOT NULL DEFAULT 0, last_status INTEGER, last_error TEXT, executor_id TEXT
            ) STRICT;
            INSERT INTO jobs VALUES ('0-old', 0, 'published', 'normal', 'http://h/p', 'POST', X'5B5D', X'6869',
                30000, 5, NULL, 1, 500, 100, 600, 600, 7, NULL, NULL, 0, NULL, NULL, NULL);
            """)
        return db
    }

    func schemaVersion(_ db: Database) throws -> Int64? {
        try db.statement("SELECT value FROM tock_meta WHERE key = 'schema_version'").first { $0.int64(0) }
    }

    func testAVersionTwoFileKeepsItsJobsAndLogPositionWhichReadAsTockFormat() throws {
        let db = try versionTwoFile("shard.sqlite")
        try db.transaction { try ShardSchema.migrate(db) }
        XCTAssertEqual(try schemaVersion(db), ShardSchema.version)
        XCTAssertEqual(
            try db.statement("SELECT value FROM tock_meta WHERE key = 'applied_index'").first { $0.int64(0) },
            17, "a version 2 file's log is kept")
        let job = try XCTUnwrap(try JobRows.find(id: "0-old", in: db))
        XCTAssertEqual(job.state, .published)
        XCTAssertEqual(job.target.body, Array("hi".utf8))
        XCTAssertEqual(job.webhookFormat, .tock)
        XCTAssertEqual(job.destination, .webhook, "rows from before destinations are webhooks")

        // Migrating again is a no-op.
        try db.transaction { try ShardSchema.migrate(db) }
        XCTAssertEqual(try JobRows.find(id: "0-old", in: db), job)
    }

    func testASnapshotFromAVersionTwoNodeInstallsOnAnUpgradedOne() throws {
        let old = try versionTwoFile("old.sqlite")
        let file = directory.appendingPathComponent("old.snapshot").path
        XCTAssertEqual(try ShardSnapshot.capture(from: old, into: file), 17)
        XCTAssertEqual(try ShardSnapshot.index(ofFileAt: file), 17)

        let new = try Database(path: directory.appendingPathComponent("new.sqlite").path)
        try ShardSchema.migrate(new)
        try new.attach(file, as: "snap", readOnly: true)
        try new.transaction { try ShardSnapshot.install(attachedAs: "snap", index: 17, in: new) }
        try new.detach("snap")
        let job = try XCTUnwrap(try JobRows.find(id: "0-old", in: new))
        XCTAssertEqual(job.webhookFormat, .tock)
        XCTAssertEqual(job.streamSequence, 7)
    }
}
