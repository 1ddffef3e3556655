import CSQLite

/// One SQLite connection. Not thread-safe by design: a `Database` is only ever used by the
/// `DatabaseQueue` that owns it (or by a test on one thread). Prepared statements are cached by SQL text
/// and finalized, with the connection, exactly once in `deinit`.
public final class Database {
    public enum Synchronous: String, Sendable {
        /// An fsync at every commit: a committed transaction survives power loss.
        case full = "FULL"
        /// fsync at checkpoints only: survives a process crash, not power loss.
        case normal = "NORMAL"
    }

    let handle: OpaquePointer
    private var statements: [String: Statement] = [:]

    /// Opens (creating if needed) the file at `path` in WAL mode.
    public init(path: String, synchronous: Synchronous = .full) throws(SQLiteError) {
        // URI names are accepted so that `attach(_:as:readOnly:)` can ask for read-only access; `path` itself is
        // never a URI (it does not start with "file:").
        handle = try Self.open(path, flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI)
        // The busy timeout first: switching to WAL needs a lock that a connection closing the file at that moment
        // (checkpointing its WAL) holds briefly, and without the timeout the open failed with "database is locked".
        try execute(
            """
            PRAGMA busy_timeout = 5000;
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = \(synchronous.rawValue);
            PRAGMA foreign_keys = ON;
            """)
    }

    /// Opens an existing file for reading only, changing nothing in it (not even its journal mode).
    public init(readingOnly path: String) throws(SQLiteError) {
        handle = try Self.open(path, flags: SQLITE_OPEN_READONLY)
    }

    /// Process-wide settings, made once before the first connection opens: SQLite takes them only before it
    /// initializes.
    private static let configured: Void = { _ = tock_sqlite_disable_memory_statistics() }()

    private static func open(_ path: String, flags: Int32) throws(SQLiteError) -> OpaquePointer {
        _ = configured
        var db: OpaquePointer?
        let status = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, nil)
        guard status == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(status))
            sqlite3_close_v2(db)
            throw SQLiteError(code: status, message: "cannot open \(path): \(message)", sql: nil)
        }
        sqlite3_extended_result_codes(db, 1)
        return db
    }

    deinit {
        for statement in statements.values { statement.finalize() }
        sqlite3_close_v2(handle)
    }

    /// Runs one or more statements that take no parameters (schema, pragmas).
    public func execute(_ sql: String) throws(SQLiteError) {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let status = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        if status != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(status))
            sqlite3_free(errorMessage)
            throw SQLiteError(code: status, message: message, sql: sql)
        }
    }

    /// A cached prepared statement for `sql`.
    public func statement(_ sql: String) throws(SQLiteError) -> Statement {
        if let cached = statements[sql] { return cached }
        let statement = try Statement(database: self, sql: sql)
        statements[sql] = statement
        return statement
    }

    public enum TransactionKind: String, Sendable {
        /// Takes the write lock at once: the transaction never fails half-way for want of it.
        case immediate = "IMMEDIATE"
        /// Takes locks as statements need them. In WAL mode a transaction that only reads the main file (and
        /// writes an attached one) sees one consistent state of it, while other connections go on writing.
        case deferred = "DEFERRED"
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    public func transaction<T>(_ kind: TransactionKind = .immediate, _ body: () throws -> T) throws -> T {
        try execute("BEGIN \(kind.rawValue)")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Makes the database file at `path` reachable as `schema` (outside any transaction, as SQLite requires).
    /// Read-only attaches never create or change the file. `schema` is a name chosen by the caller, not input.
    public func attach(_ path: String, as schema: String, readOnly: Bool = false) throws(SQLiteError) {
        var name = path
        if readOnly {
            let escaped = path.replacingPercentEncodable()
            name = "file:\(escaped)?mode=ro"
        }
        try statement("ATTACH DATABASE ? AS \(schema)").run(name)
    }

    public func detach(_ schema: String) throws(SQLiteError) {
        try execute("DETACH DATABASE \(schema)")
    }
}

extension String {
    /// The characters a SQLite URI path must not hold literally.
    fileprivate func replacingPercentEncodable() -> String {
        var out = ""
        for character in self {
            switch character {
            case "%": out += "%25"
            case "?": out += "%3f"
            case "#": out += "%23"
            default: out.append(character)
            }
        }
        return out
    }
}
