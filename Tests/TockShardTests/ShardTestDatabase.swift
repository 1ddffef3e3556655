import Foundation
import TockSQLite

@testable import TockShard

/// A real shard database file, migrated, in a directory of its own under the temporary directory.
enum ShardTestDatabase {
    static func make(_ prefix: String) throws -> (directory: URL, db: Database) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return (directory, try open("shard.sqlite", in: directory))
    }

    /// Another migrated database in the same directory (a second replica, say).
    static func open(_ name: String, in directory: URL) throws -> Database {
        let db = try Database(path: directory.appendingPathComponent(name).path)
        try ShardSchema.migrate(db)
        return db
    }

    static func remove(_ directory: URL?) {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }
}
