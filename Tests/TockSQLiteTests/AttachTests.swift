import Foundation
import TockSQLite
import XCTest

/// Attaching another file, read-only or not, and a deferred transaction that reads one consistent state of a file
/// another connection keeps writing: what shard snapshots are made of.
final class AttachTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tock-attach-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func testAReadOnlyAttachNeverCreatesOrChangesTheFile() throws {
        let db = try Database(path: path("main.sqlite"))
        XCTAssertThrowsError(try db.attach(path("missing ?#%.sqlite"), as: "other", readOnly: true))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("missing ?#%.sqlite")))

        let otherPath = path("other ?#%.sqlite")
        do {
            let other = try Database(path: otherPath)
            try other.execute("CREATE TABLE t (v INTEGER); INSERT INTO t VALUES (1)")
        }
        try db.attach(otherPath, as: "other", readOnly: true)
        XCTAssertEqual(try db.statement("SELECT v FROM other.t").first { $0.int(0) }, 1)
        XCTAssertThrowsError(try db.execute("INSERT INTO other.t VALUES (2)"))
        try db.detach("other")
        XCTAssertThrowsError(try db.execute("SELECT v FROM other.t"))
    }

    func testADeferredTransactionReadsOneStateWhileAnotherConnectionWrites() throws {
        let writer = try Database(path: path("main.sqlite"))
        try writer.execute("CREATE TABLE t (v INTEGER); INSERT INTO t VALUES (1)")
        let reader = try Database(path: path("main.sqlite"))
        try reader.attach(path("copy.sqlite"), as: "copy")
        try reader.transaction(.deferred) {
            XCTAssertEqual(try reader.statement("SELECT COUNT(*) FROM main.t").first { $0.int(0) }, 1)
            // The writer is not held up by the reader, and the reader does not see its commit.
            try writer.transaction { try writer.execute("INSERT INTO t VALUES (2)") }
            try reader.execute("CREATE TABLE copy.t AS SELECT * FROM main.t")
        }
        try reader.detach("copy")
        let copy = try Database(readingOnly: path("copy.sqlite"))
        XCTAssertEqual(try copy.statement("SELECT COUNT(*) FROM t").first { $0.int(0) }, 1)
        XCTAssertEqual(try writer.statement("SELECT COUNT(*) FROM t").first { $0.int(0) }, 2)
    }
}
