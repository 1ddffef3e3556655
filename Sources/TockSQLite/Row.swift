import CSQLite

/// The current row of a running statement. Valid only inside the closure that receives it:
/// SQLite reuses the row's memory on the next step.
public struct Row {
    let handle: OpaquePointer

    public func isNull(_ column: Int32) -> Bool {
        sqlite3_column_type(handle, column) == SQLITE_NULL
    }

    public func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }
    public func int(_ column: Int32) -> Int { Int(int64(column)) }
    public func uint64(_ column: Int32) -> UInt64 { UInt64(bitPattern: int64(column)) }

    public func optionalInt64(_ column: Int32) -> Int64? { isNull(column) ? nil : int64(column) }

    /// By length, not up to the first NUL: a text that holds a NUL reads back whole, as it was bound.
    public func text(_ column: Int32) -> String {
        guard let c = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeRawBufferPointer(start: c, count: count), as: UTF8.self)
    }

    public func optionalText(_ column: Int32) -> String? { isNull(column) ? nil : text(column) }

    public func blob(_ column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(handle, column))
        guard count > 0, let base = sqlite3_column_blob(handle, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// How many columns the statement returns.
    public var columnCount: Int32 { sqlite3_column_count(handle) }

    /// The column as whatever storage class SQLite holds it in, for copying rows without knowing their schema.
    public func value(_ column: Int32) -> SQLValue {
        switch sqlite3_column_type(handle, column) {
        case SQLITE_NULL: .null
        case SQLITE_INTEGER: .integer(int64(column))
        case SQLITE_FLOAT: .real(sqlite3_column_double(handle, column))
        case SQLITE_TEXT: .text(text(column))
        default: .blob(blob(column))
        }
    }
}
