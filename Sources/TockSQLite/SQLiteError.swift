import CSQLite

/// A failed SQLite call: the result code, SQLite's message and the statement that failed.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
    public let code: Int32
    public let message: String
    public let sql: String?

    public var description: String {
        if let sql { return "SQLite error \(code): \(message) (in: \(sql))" }
        return "SQLite error \(code): \(message)"
    }

    /// The primary result code, so callers can tell a constraint failure from I/O trouble.
    public var primaryCode: Int32 { code & 0xFF }
    public var isConstraintViolation: Bool { primaryCode == SQLITE_CONSTRAINT }
    /// The disk (or the file's size limit) is full: the statement's transaction was rolled back, and the same
    /// write succeeds once space is freed.
    public var isDiskFull: Bool { primaryCode == SQLITE_FULL }

    /// Whether the failure follows from the statement and the data alone (a constraint, a type mismatch, a value
    /// too big, a bad argument), so that every copy of the same database fails the same way; false for failures
    /// of the machine — I/O, a full disk, locks, memory, a damaged file — which one copy may meet and another not.
    public var isDataDependent: Bool {
        switch primaryCode {
        case SQLITE_CONSTRAINT, SQLITE_MISMATCH, SQLITE_TOOBIG, SQLITE_RANGE: true
        default: false
        }
    }
}

/// The one place a SQLite status becomes a Swift error.
@discardableResult
func check(_ status: Int32, _ handle: OpaquePointer?, sql: String? = nil) throws(SQLiteError) -> Int32 {
    switch status {
    case SQLITE_OK, SQLITE_ROW, SQLITE_DONE:
        return status
    default:
        let message =
            handle.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
            ?? String(cString: sqlite3_errstr(status))
        let code = handle.map { sqlite3_extended_errcode($0) } ?? status
        throw SQLiteError(code: code, message: message, sql: sql)
    }
}
