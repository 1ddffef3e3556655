/// Every row of one table as bytes, and back: how a Raft snapshot carries the job tables to another node.
///
/// Rows are copied by storage class, not by schema, so the image needs no change when a column is added. It restores
/// into a table with the same columns in the same order, or with more columns after those (a later schema version
/// that appended columns), which then take their defaults: a node upgraded first can still install a snapshot from
/// one that is not. An image with more columns than the table (from a newer schema) is refused.
///
/// Format: "TKI1", column count (u32); per row a 1 byte, then per column a tag byte and the value (integer/real:
/// 8 bytes little-endian; text/blob: u32 length and the bytes); finally a 0 byte and the row count (u64), so an
/// image cut short anywhere is detected rather than restored as fewer rows.
public enum TableImage {
    public struct Malformed: Error, CustomStringConvertible, Sendable {
        public let description: String

        public init(description: String) {
            self.description = description
        }
    }

    private static let magic: [UInt8] = Array("TKI1".utf8)

    /// The rows of `table`, in rowid order. `table` is a name from the caller's schema, never user input.
    public static func capture(table: String, in db: Database) throws -> [UInt8] {
        var out = magic
        let columns = try db.statement("SELECT * FROM \(table) LIMIT 0").columnCount
        append(UInt32(columns), to: &out)
        var rows: UInt64 = 0
        try db.statement("SELECT * FROM \(table) ORDER BY rowid").forEach { row in
            out.append(1)
            for column in 0..<columns { append(row.value(column), to: &out) }
            rows += 1
        }
        out.append(0)
        append(rows, to: &out)
        return out
    }

    /// Replaces every row of `table` with the image's. Run it inside a transaction, so a bad image changes nothing.
    public static func restore(_ image: [UInt8], into table: String, in db: Database) throws {
        var reader = Reader(bytes: image)
        guard Array(try reader.take(4)) == magic else { throw Malformed(description: "not a table image") }
        let columns = Int(try reader.u32())
        guard columns > 0 else { throw Malformed(description: "an image without columns") }
        let tableColumns = try db.statement("SELECT name FROM pragma_table_info(?) ORDER BY cid").map(table) {
            $0.text(0)
        }
        guard columns <= tableColumns.count else {
            throw Malformed(description: "an image of \(columns) columns for \(table), which has \(tableColumns.count)")
        }
        try db.statement("DELETE FROM \(table)").run()
        let names = tableColumns.prefix(columns).map { "\"\($0)\"" }.joined(separator: ", ")
        let placeholders = Array(repeating: "?", count: columns).joined(separator: ", ")
        let insert = try db.statement("INSERT INTO \(table) (\(names)) VALUES (\(placeholders))")
        var values: [any SQLBindable] = []
        values.reserveCapacity(columns)
        var rows: UInt64 = 0
        while try reader.rowFollows() {
            values.removeAll(keepingCapacity: true)
            for _ in 0..<columns { values.append(try reader.value()) }
            try insert.run(arguments: values)
            rows += 1
        }
        guard try reader.u64() == rows, reader.atEnd else {
            throw Malformed(description: "an image whose row count does not match its rows")
        }
    }

    private static func append(_ value: UInt32, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }

    private static func append(_ value: UInt64, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }

    private static func append(_ value: SQLValue, to out: inout [UInt8]) {
        switch value {
        case .null: out.append(0)
        case .integer(let v):
            out.append(1)
            append(UInt64(bitPattern: v), to: &out)
        case .real(let v):
            out.append(2)
            append(v.bitPattern, to: &out)
        case .text(let v):
            out.append(3)
            let bytes = Array(v.utf8)
            append(UInt32(bytes.count), to: &out)
            out.append(contentsOf: bytes)
        case .blob(let v):
            out.append(4)
            append(UInt32(v.count), to: &out)
            out.append(contentsOf: v)
        }
    }

    private struct Reader {
        let bytes: [UInt8]
        var offset = 0

        var atEnd: Bool { offset == bytes.count }

        mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
            guard count >= 0, bytes.count - offset >= count else { throw Malformed(description: "truncated image") }
            defer { offset += count }
            return bytes[offset..<offset + count]
        }

        mutating func rowFollows() throws -> Bool {
            switch try take(1).first! {
            case 1: return true
            case 0: return false
            case let marker: throw Malformed(description: "unknown row marker \(marker)")
            }
        }

        mutating func u32() throws -> UInt32 {
            try take(4).reversed().reduce(0) { $0 << 8 | UInt32($1) }
        }

        mutating func u64() throws -> UInt64 {
            try take(8).reversed().reduce(0) { $0 << 8 | UInt64($1) }
        }

        mutating func value() throws -> SQLValue {
            switch try take(1).first! {
            case 0: return .null
            case 1: return .integer(Int64(bitPattern: try u64()))
            case 2: return .real(Double(bitPattern: try u64()))
            case 3:
                let bytes = try take(Int(try u32()))
                guard let text = String(validating: bytes, as: UTF8.self) else {
                    throw Malformed(description: "text that is not UTF-8")
                }
                return .text(text)
            case 4: return .blob(Array(try take(Int(try u32()))))
            case let tag: throw Malformed(description: "unknown value tag \(tag)")
            }
        }
    }
}
