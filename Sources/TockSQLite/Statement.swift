import CSQLite

/// A prepared statement, owned by its `Database` and finalized when the database closes.
/// Each run resets and clears bindings first, so a cached statement never sees old parameters.
public final class Statement {
    let handle: OpaquePointer
    let sql: String
    unowned let database: Database

    init(database: Database, sql: String) throws(SQLiteError) {
        var stmt: OpaquePointer?
        try check(
            sqlite3_prepare_v3(database.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil),
            database.handle, sql: sql)
        guard let stmt else { throw SQLiteError(code: SQLITE_MISUSE, message: "empty statement", sql: sql) }
        self.handle = stmt
        self.sql = sql
        self.database = database
    }

    func finalize() { sqlite3_finalize(handle) }

    /// How many columns each row of the result has.
    public var columnCount: Int32 { sqlite3_column_count(handle) }

    private func bind(_ arguments: [any SQLBindable]) throws(SQLiteError) {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        let expected = Int(sqlite3_bind_parameter_count(handle))
        guard expected == arguments.count else {
            throw SQLiteError(
                code: SQLITE_RANGE,
                message: "statement takes \(expected) arguments, got \(arguments.count)", sql: sql)
        }
        for (offset, argument) in arguments.enumerated() {
            let index = Int32(offset + 1)
            let status: Int32
            switch argument.sqlValue {
            case .null: status = sqlite3_bind_null(handle, index)
            case .integer(let v): status = sqlite3_bind_int64(handle, index, v)
            case .real(let v): status = sqlite3_bind_double(handle, index, v)
            case .text(var v):
                // By length, so a text holding a NUL is stored whole rather than cut at it. An empty text still
                // needs a non-NULL pointer, or SQLite stores NULL.
                status =
                    v.isEmpty
                    ? sqlite3_bind_text(handle, index, "", 0, tock_sqlite_transient())
                    : v.withUTF8 { bytes in
                        bytes.withMemoryRebound(to: CChar.self) { chars in
                            sqlite3_bind_text64(
                                handle, index, chars.baseAddress, UInt64(chars.count),
                                tock_sqlite_transient(), UInt8(SQLITE_UTF8))
                        }
                    }
            case .blob(let v):
                status = v.withUnsafeBytes { bytes in
                    // A zero-length blob still needs a non-NULL pointer, or SQLite stores NULL.
                    sqlite3_bind_blob64(
                        handle, index, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1),
                        UInt64(bytes.count), tock_sqlite_transient())
                }
            }
            try check(status, database.handle, sql: sql)
        }
    }

    /// Runs the statement to completion, ignoring rows. Returns the number of rows changed.
    @discardableResult
    public func run(_ arguments: any SQLBindable...) throws(SQLiteError) -> Int {
        try run(arguments: arguments)
    }

    /// `run` with the arguments in an array, for statements whose parameter count is only known at run time.
    @discardableResult
    public func run(arguments: [any SQLBindable]) throws(SQLiteError) -> Int {
        try bind(arguments)
        defer { sqlite3_reset(handle) }
        while try check(sqlite3_step(handle), database.handle, sql: sql) == SQLITE_ROW {}
        return Int(sqlite3_changes(database.handle))
    }

    /// Calls `body` for each row. The row is only valid inside the call.
    public func forEach(_ arguments: any SQLBindable..., body: (Row) throws -> Void) throws {
        try bind(arguments)
        defer { sqlite3_reset(handle) }
        while try check(sqlite3_step(handle), database.handle, sql: sql) == SQLITE_ROW {
            try body(Row(handle: handle))
        }
    }

    /// Maps every row.
    public func map<T>(_ arguments: any SQLBindable..., transform: (Row) throws -> T) throws -> [T] {
        try map(arguments: arguments, transform: transform)
    }

    /// `map` with the arguments in an array, for statements whose parameter count is only known at run time.
    public func map<T>(arguments: [any SQLBindable], transform: (Row) throws -> T) throws -> [T] {
        try bind(arguments)
        defer { sqlite3_reset(handle) }
        var result: [T] = []
        while try check(sqlite3_step(handle), database.handle, sql: sql) == SQLITE_ROW {
            result.append(try transform(Row(handle: handle)))
        }
        return result
    }

    /// The first row mapped, or nil when there is none.
    public func first<T>(_ arguments: any SQLBindable..., transform: (Row) throws -> T) throws -> T? {
        try bind(arguments)
        defer { sqlite3_reset(handle) }
        guard try check(sqlite3_step(handle), database.handle, sql: sql) == SQLITE_ROW else { return nil }
        return try transform(Row(handle: handle))
    }
}
