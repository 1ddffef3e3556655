import Foundation
import TockSQLite
import XCTest

/// A row read by column name: the select list comes from the cases, each case reads its own column whatever the
/// enum's size, and an unknown stored value is an error naming the column.
final class ColumnSetTests: XCTestCase {
    enum Column: String, ColumnSet {
        static let table = "t"

        case id
        case label = "name"
        case count
    }

    enum Alone: String, ColumnSet {
        static let table = "t"

        case count
    }

    enum Colour: String { case red, green }

    /// More cases than fit a byte's low values, to read past the first few positions.
    enum Wide: String, ColumnSet {
        static let table = "w"

        case c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17, c18, c19
    }

    func testEachCaseReadsItsOwnColumn() throws {
        let db = try Database(path: ":memory:")
        try db.execute("CREATE TABLE t (id INTEGER, name TEXT, count INTEGER); INSERT INTO t VALUES (7, 'red', 3)")
        XCTAssertEqual(Column.selectList, "id, name, count")
        XCTAssertEqual(Column.allCases.map(\.index), [0, 1, 2])
        let row = try db.statement("SELECT \(Column.selectList) FROM t").first { row in
            (
                row.int64(Column.id), row.text(Column.label), row.int(Column.count),
                try row.known(Column.label, as: Colour.self)
            )
        }
        XCTAssertEqual(row?.0, 7)
        XCTAssertEqual(row?.1, "red")
        XCTAssertEqual(row?.2, 3)
        XCTAssertEqual(row?.3, .red)
        XCTAssertEqual(
            try db.statement("SELECT \(Alone.selectList(from: { _ in "count" })) FROM t").first { $0.int(Alone.count) },
            3)

        try db.execute("UPDATE t SET name = 'mauve'")
        XCTAssertThrowsError(
            try db.statement("SELECT \(Column.selectList) FROM t").first { try $0.known(Column.label, as: Colour.self) }
        ) { error in
            XCTAssertEqual("\(error)", #"t.name holds "mauve", which this version does not know"#)
        }
    }

    func testAWideSetReadsEveryPosition() throws {
        let db = try Database(path: ":memory:")
        let columns = Wide.allCases.map { "\($0.rawValue) INTEGER" }.joined(separator: ", ")
        let values = Wide.allCases.indices.map { "\($0 * 10)" }.joined(separator: ", ")
        try db.execute("CREATE TABLE w (\(columns)); INSERT INTO w VALUES (\(values))")
        let read = try db.statement("SELECT \(Wide.selectList) FROM w").first { row in
            Wide.allCases.map { row.int($0) }
        }
        XCTAssertEqual(read, Wide.allCases.indices.map { $0 * 10 })
    }
}
