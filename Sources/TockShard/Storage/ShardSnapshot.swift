import TockSQLite

/// A shard's state machine — the job tables and the group's address book — as a Raft snapshot: a SQLite file
/// holding a copy of each table and, in `snapshot_meta`, the applied index the copy is of (`format` 1).
///
/// The copy is made and installed by SQLite itself (`CREATE TABLE ... AS SELECT`, `INSERT ... SELECT`), a page at
/// a time, so no step holds the tables in memory whatever their size. Tables are copied by column name: a file
/// from a node whose schema lacks columns added later (or `newerTables`) installs, the missing ones taking their
/// defaults; a file with columns this node does not know is refused.
enum ShardSnapshot {
    static let tables = ["jobs", "raft_nodes", "job_runs", "job_events", "flows"]
    /// Tables added after the first snapshot format: a file from an older node lacks them, and they restore empty.
    static let newerTables: Set<String> = ["job_runs", "job_events", "flows"]
    static let format: Int64 = 1

    struct Malformed: Error, CustomStringConvertible, Sendable {
        let description: String
    }

    /// Copies the tables into a new file at `path` and returns the applied index they are at. `db` must be a
    /// connection of its own: the copy reads one consistent state of the tables in a read transaction, which
    /// (WAL) does not hold up the connection that goes on applying entries meanwhile.
    static func capture(from db: Database, into path: String) throws -> UInt64 {
        try db.attach(path, as: "snap")
        defer { try? db.detach("snap") }
        // The file is new and is thrown away if anything fails, so it needs no journal; it is fsynced as a whole
        // before it counts (`SnapshotFiles`).
        try db.execute("PRAGMA snap.journal_mode = OFF; PRAGMA snap.synchronous = OFF")
        return try db.transaction(.deferred) {
            // The first read starts the read transaction: everything below sees the tables as of this index.
            guard
                let index = try db.statement("SELECT value FROM main.tock_meta WHERE key = 'applied_index'")
                    .first(transform: { $0.uint64(0) })
            else { throw Malformed(description: "no applied index") }
            try db.execute("CREATE TABLE snap.snapshot_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)")
            try db.statement("INSERT INTO snap.snapshot_meta (key, value) VALUES ('format', ?), ('index', ?)")
                .run(format, index)
            for table in tables {
                // A file not yet migrated may lack the newer tables; its snapshot leaves them out.
                guard !(try columns(of: table, in: "main", db).isEmpty) else { continue }
                try db.execute("CREATE TABLE snap.\(table) AS SELECT * FROM main.\(table)")
            }
            return index
        }
    }

    /// The applied index a snapshot file is of, after checking it is one this node can install: a whole SQLite file
    /// (every page read once, a page at a time) with the tables it needs. Opens the file read-only, changing nothing.
    static func index(ofFileAt path: String) throws -> UInt64 {
        let db = try Database(readingOnly: path)
        let problems = try db.statement("PRAGMA quick_check").map { $0.text(0) }
        guard problems == ["ok"] else {
            throw Malformed(description: "a damaged snapshot file: \(problems.prefix(3).joined(separator: "; "))")
        }
        let index = try index(in: "main", db)
        for table in tables where !newerTables.contains(table) {
            guard !(try columns(of: table, in: "main", db).isEmpty) else {
                throw Malformed(description: "a shard snapshot without table \(table)")
            }
        }
        return index
    }

    /// Replaces the state machine's tables with those of the snapshot file attached as `schema`, which must be of
    /// `index`. Run it in a transaction: a bad snapshot changes nothing.
    static func install(attachedAs schema: String, index: UInt64, in db: Database) throws {
        let stored = try Self.index(in: schema, db)
        guard stored == index else {
            throw Malformed(description: "a snapshot file of index \(stored) where \(index) was expected")
        }
        for table in tables {
            let copied = try columns(of: table, in: schema, db)
            if copied.isEmpty {
                guard newerTables.contains(table) else {
                    throw Malformed(description: "a shard snapshot without table \(table)")
                }
                try db.execute("DELETE FROM main.\(table)")
                continue
            }
            let known = Set(try columns(of: table, in: "main", db))
            let unknown = copied.filter { !known.contains($0) }
            guard unknown.isEmpty else {
                throw Malformed(description: "a snapshot of \(table) with columns \(unknown) this node does not have")
            }
            let names = copied.map { "\"\($0)\"" }.joined(separator: ", ")
            try db.execute(
                """
                DELETE FROM main.\(table);
                INSERT INTO main.\(table) (\(names)) SELECT \(names) FROM \(schema).\(table);
                """)
        }
    }

    private static func index(in schema: String, _ db: Database) throws -> UInt64 {
        let meta = try db.statement("SELECT \(MetaColumn.selectList) FROM \(schema).snapshot_meta").map {
            ($0.text(MetaColumn.key), $0.int64(MetaColumn.value))
        }
        let values = Dictionary(meta, uniquingKeysWith: { first, _ in first })
        guard values["format"] == format, let index = values["index"], index >= 0 else {
            throw Malformed(description: "not a shard snapshot of format \(format)")
        }
        return UInt64(index)
    }

    /// The columns of `table` in `schema`, in order; empty when there is no such table.
    private static func columns(of table: String, in schema: String, _ db: Database) throws -> [String] {
        try db.statement("SELECT name FROM pragma_table_info(?, ?) ORDER BY cid").map(table, schema) { $0.text(0) }
    }
}

/// A row of a snapshot's `snapshot_meta`.
private enum MetaColumn: String, ColumnSet {
    static let table = "snapshot_meta"

    case key
    case value
}
