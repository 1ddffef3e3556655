import TockSQLite

/// A shard's state machine as bytes — the job tables and the group's address book — for Raft snapshots.
///
/// Format: "TKS1", then per table its name and its `TableImage`, each as a u64 length and the bytes.
enum ShardSnapshot {
    static let tables = ["jobs", "raft_nodes", "job_runs"]
    /// Tables added after the first snapshot format: an image from an older node lacks them, and they restore empty.
    static let newerTables: Set<String> = ["job_runs"]
    private static let magic: [UInt8] = Array("TKS1".utf8)

    static func capture(in db: Database) throws -> [UInt8] {
        var out = magic
        for table in tables {
            // An older file (e.g. one being upgraded) may not have the newer tables yet; its image leaves them out.
            if newerTables.contains(table),
               try db.statement("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").first(table, transform: { _ in true })
                == nil
            {
                continue
            }
            append(Array(table.utf8), to: &out)
            append(try TableImage.capture(table: table, in: db), to: &out)
        }
        return out
    }

    /// Replaces the state machine's tables. Run it in a transaction: a bad snapshot changes nothing.
    static func restore(_ bytes: [UInt8], in db: Database) throws {
        var offset = 0
        func take(_ count: Int) throws -> ArraySlice<UInt8> {
            guard count >= 0, bytes.count - offset >= count else {
                throw TableImage.Malformed(description: "truncated shard snapshot")
            }
            defer { offset += count }
            return bytes[offset..<offset + count]
        }
        func chunk() throws -> ArraySlice<UInt8> {
            let length = try take(8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            guard length <= UInt64(bytes.count) else { throw TableImage.Malformed(description: "truncated shard snapshot") }
            return try take(Int(length))
        }
        guard Array(try take(4)) == magic else { throw TableImage.Malformed(description: "not a shard snapshot") }
        var restored: Set<String> = []
        while offset < bytes.count {
            let name = String(decoding: try chunk(), as: UTF8.self)
            guard tables.contains(name), restored.insert(name).inserted else {
                throw TableImage.Malformed(description: "unexpected table \(name) in a shard snapshot")
            }
            try TableImage.restore(Array(try chunk()), into: name, in: db)
        }
        let missing = Set(tables).subtracting(restored)
        guard missing.isSubset(of: newerTables) else {
            throw TableImage.Malformed(description: "a shard snapshot without \(missing.sorted())")
        }
        for table in missing { try db.execute("DELETE FROM \(table)") }
    }

    private static func append(_ bytes: [UInt8], to out: inout [UInt8]) {
        withUnsafeBytes(of: UInt64(bytes.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: bytes)
    }
}
