import Foundation
import TockSQLite
import XCTest

/// A table image carries every row, value and storage class to another file, and a damaged image changes nothing.
final class TableImageTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tock-image-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func open(_ name: String) throws -> Database {
        let db = try Database(path: directory.appendingPathComponent(name).path)
        try db.execute("CREATE TABLE t (a INTEGER, b TEXT, c BLOB, d REAL, e TEXT)")
        return db
    }

    func rows(_ db: Database) throws -> [[SQLValue]] {
        try db.statement("SELECT * FROM t ORDER BY rowid").map { row in (0..<row.columnCount).map { row.value($0) } }
    }

    func testEveryValueRoundTrips() throws {
        let source = try open("a.sqlite")
        let insert = try source.statement("INSERT INTO t VALUES (?, ?, ?, ?, ?)")
        try insert.run(Int64.min, "héllo", [UInt8](), 1.5, SQLValue.null)
        try insert.run(Int64.max, "", [0, 255, 7], -0.25, "x")
        let image = try TableImage.capture(table: "t", in: source)

        let target = try open("b.sqlite")
        try target.statement("INSERT INTO t VALUES (1, 'old', NULL, NULL, NULL)").run()
        try target.transaction { try TableImage.restore(image, into: "t", in: target) }
        XCTAssertEqual(try rows(target), try rows(source))
    }

    func testAnImageOfFewerColumnsRestoresIntoATableWithColumnsAppendedWhichTakeTheirDefaults() throws {
        let source = try Database(path: directory.appendingPathComponent("old.sqlite").path)
        try source.execute("CREATE TABLE t (a INTEGER, b TEXT)")
        try source.statement("INSERT INTO t VALUES (1, 'one'), (2, NULL)").run()
        let image = try TableImage.capture(table: "t", in: source)

        let target = try Database(path: directory.appendingPathComponent("new.sqlite").path)
        try target.execute("CREATE TABLE t (a INTEGER, b TEXT, c TEXT NOT NULL DEFAULT 'tock')")
        try target.transaction { try TableImage.restore(image, into: "t", in: target) }
        XCTAssertEqual(try rows(target), [[.integer(1), .text("one"), .text("tock")],
                                          [.integer(2), .null, .text("tock")]])
    }

    func testAnImageOfMoreColumnsThanTheTableIsRejectedAndChangesNothing() throws {
        let source = try open("a.sqlite")
        try source.statement("INSERT INTO t VALUES (1, 'one', NULL, NULL, NULL)").run()
        let image = try TableImage.capture(table: "t", in: source)
        let target = try Database(path: directory.appendingPathComponent("old.sqlite").path)
        try target.execute("CREATE TABLE t (a INTEGER, b TEXT); INSERT INTO t VALUES (9, 'kept')")
        XCTAssertThrowsError(try target.transaction { try TableImage.restore(image, into: "t", in: target) })
        XCTAssertEqual(try rows(target), [[.integer(9), .text("kept")]])
    }

    func testAnEmptyTableRestoresToEmpty() throws {
        let source = try open("a.sqlite")
        let target = try open("b.sqlite")
        try target.statement("INSERT INTO t VALUES (1, 'old', NULL, NULL, NULL)").run()
        try target.transaction { try TableImage.restore(try TableImage.capture(table: "t", in: source), into: "t", in: target) }
        XCTAssertEqual(try rows(target).count, 0)
    }

    func testATruncatedImageIsRejectedAndChangesNothing() throws {
        let source = try open("a.sqlite")
        try source.statement("INSERT INTO t VALUES (1, 'one', X'0102', 2.0, NULL)").run()
        let image = try TableImage.capture(table: "t", in: source)
        let target = try open("b.sqlite")
        try target.statement("INSERT INTO t VALUES (9, 'kept', NULL, NULL, NULL)").run()
        for cut in [0, 3, 8, image.count - 1] {
            XCTAssertThrowsError(try target.transaction {
                try TableImage.restore(Array(image.prefix(cut)), into: "t", in: target)
            })
        }
        XCTAssertEqual(try rows(target), [[.integer(9), .text("kept"), .null, .null, .null]])
    }
}
