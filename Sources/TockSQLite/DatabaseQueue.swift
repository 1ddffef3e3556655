import TockConcurrency

/// Serializes all access to one `Database` on a thread of its own (a `BlockingPool` of one), so SQLite's
/// blocking I/O (fsync at commit) never runs on Swift's cooperative thread pool.
///
/// Invariant that makes `@unchecked Sendable` sound: `database` is touched only by jobs of `lane`, which runs
/// one at a time.
public final class DatabaseQueue: @unchecked Sendable {
    public let path: String
    private let database: Database
    private let lane: BlockingPool

    public init(path: String, synchronous: Database.Synchronous = .full) throws {
        self.path = path
        self.database = try Database(path: path, synchronous: synchronous)
        self.lane = BlockingPool(name: "tock.sqlite")
    }

    /// Runs `body` on the database's queue.
    public func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await lane.run { try body(self.database) }
    }

    /// Runs `body` inside one transaction on the database's queue. With `synchronous = FULL` the commit
    /// is fsynced before this returns.
    public func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await read { database in try database.transaction { try body(database) } }
    }

    /// `write` with the file at `attachedPath` reachable, read-only, as `schema` (SQLite attaches only outside a
    /// transaction, so the attach wraps it).
    public func write<T: Sendable>(
        attaching attachedPath: String, as schema: String,
        _ body: @escaping @Sendable (Database) throws -> T
    ) async throws -> T {
        try await read { database in
            try database.attach(attachedPath, as: schema, readOnly: true)
            defer { try? database.detach(schema) }
            return try database.transaction { try body(database) }
        }
    }

    /// Synchronous access for start-up and tests, before any concurrent use begins.
    public func syncWrite<T>(_ body: @escaping (Database) throws -> T) throws -> T {
        try lane.runAndWait { try self.database.transaction { try body(self.database) } }
    }
}
