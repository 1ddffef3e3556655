import TockCore
import TockModel
import TockRaft
import TockSQLite
import TockWire

/// Where a node keeps its Raft state: the log, the hard state and the last snapshot's metadata, in the same SQLite
/// file as the job tables, so one transaction can persist a `Ready` and apply what it commits. The snapshot's data
/// is a file beside it (`SnapshotFiles`).
///
/// `raft_snapshot.data` held the whole snapshot image before snapshots became files; it is never read now and is
/// written empty. A file from before keeps its blob until the next snapshot is recorded, which the driver takes at
/// start when the current snapshot has no file (see `RaftDriver`).
enum RaftStore {
    /// What the node restarts from. `applied` is the job tables' applied index.
    static func load(from db: Database) throws -> PersistentState {
        let hardState =
            try db.statement("SELECT \(RaftHardStateColumn.selectList) FROM raft_hard_state WHERE id = 1").first {
                HardState(
                    term: $0.uint64(RaftHardStateColumn.term), vote: $0.optionalText(RaftHardStateColumn.vote),
                    commit: $0.uint64(RaftHardStateColumn.commitIndex))
            } ?? HardState()
        let snapshot = try db.statement("SELECT \(RaftSnapshotColumn.selectList) FROM raft_snapshot WHERE id = 1")
            .first { row -> Snapshot in
                Snapshot(
                    index: row.uint64(RaftSnapshotColumn.index), term: row.uint64(RaftSnapshotColumn.term),
                    membership: try Membership(decoding: row.blob(RaftSnapshotColumn.membership)))
            }
        let entries = try db.statement(
            "SELECT \(RaftEntryColumn.selectList) FROM raft_entries WHERE idx > ? ORDER BY idx"
        ).map(snapshot?.index ?? 0) { row -> Entry in
            let index = row.uint64(RaftEntryColumn.index)
            let storedKind = row.int64(RaftEntryColumn.kind)
            guard let kind = UInt8(exactly: storedKind).flatMap(Entry.Kind.init(rawValue:)) else {
                throw WireError.malformed("raft_entries.kind \(storedKind) at index \(index)")
            }
            return Entry(
                term: row.uint64(RaftEntryColumn.term), index: index, kind: kind, data: row.blob(RaftEntryColumn.data))
        }
        let applied =
            try db.statement("SELECT value FROM tock_meta WHERE key = 'applied_index'").first {
                $0.uint64(0)
            } ?? 0
        return PersistentState(hardState: hardState, snapshot: snapshot, entries: entries, applied: applied)
    }

    /// Step 1 of the driver contract: a received snapshot replaces the whole log; new entries replace stored ones
    /// from their first index on; then the hard state.
    static func persist(_ ready: Ready, in db: Database) throws {
        if let snapshot = ready.snapshot {
            try db.statement("DELETE FROM raft_entries").run()
            try save(snapshot, in: db)
        }
        if let first = ready.entries.first {
            try db.statement("DELETE FROM raft_entries WHERE idx >= ?").run(first.index)
            let insert = try db.statement("INSERT INTO raft_entries (idx, term, kind, data) VALUES (?, ?, ?, ?)")
            for entry in ready.entries {
                try insert.run(entry.index, entry.term, Int64(entry.kind.rawValue), entry.data)
            }
        }
        if let hardState = ready.hardState {
            try db.statement(
                """
                INSERT INTO raft_hard_state (id, term, vote, commit_index) VALUES (1, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET term = excluded.term, vote = excluded.vote,
                    commit_index = excluded.commit_index
                """
            ).run(hardState.term, hardState.vote, hardState.commit)
        }
    }

    /// Records a snapshot this node took (or, after an upgrade, gave a file). The entries it covers are no longer
    /// read (`load` starts after the snapshot) and are dropped a little at a time by `pruneCompacted`: dropping a
    /// whole log's worth at once held the loop, and every commit behind it, for 100 ms and more.
    static func compact(to snapshot: Snapshot, in db: Database) throws {
        try save(snapshot, in: db)
    }

    /// Deletes the oldest entries the snapshot covers, about `byteBudget` bytes of them (at least one entry);
    /// returns false once none is left. Freeing an entry's pages costs in proportion to its size, hence the budget.
    static func pruneCompacted(byteBudget: Int, in db: Database) throws -> Bool {
        let covered = try db.statement(
            """
            SELECT \(RaftEntrySizeColumn.list) FROM raft_entries
            WHERE idx <= (SELECT idx FROM raft_snapshot WHERE id = 1) ORDER BY idx LIMIT 1024
            """
        ).map { (index: $0.uint64(RaftEntrySizeColumn.index), bytes: $0.int(RaftEntrySizeColumn.bytes)) }
        guard !covered.isEmpty else { return false }
        var through = covered[0].index
        var bytes = 0
        for entry in covered {
            guard bytes < byteBudget else { break }
            bytes += entry.bytes
            through = entry.index
        }
        try db.statement("DELETE FROM raft_entries WHERE idx <= ?").run(through)
        return through != covered.last?.index || covered.count == 1024
    }

    /// The addresses of nodes committed to the log (`SetNodeAddress`); malformed ones are skipped.
    static func nodeAddresses(in db: Database) throws -> [(node: NodeID, raft: HostPort, http: HostPort)] {
        try db.statement("SELECT \(RaftNodeColumn.selectList) FROM raft_nodes ORDER BY node").map { row in
            (
                row.text(RaftNodeColumn.node), HostPort(parsing: row.text(RaftNodeColumn.raftAddress)),
                HostPort(parsing: row.text(RaftNodeColumn.httpAddress))
            )
        }.compactMap { node, raft, http in
            guard let raft, let http else { return nil }
            return (node, raft, http)
        }
    }

    static func setApplied(_ index: UInt64, in db: Database) throws {
        try db.statement("UPDATE tock_meta SET value = ? WHERE key = 'applied_index'").run(index)
    }

    private static func save(_ snapshot: Snapshot, in db: Database) throws {
        try db.statement(
            """
            INSERT INTO raft_snapshot (id, idx, term, membership, data) VALUES (1, ?, ?, ?, X'')
            ON CONFLICT (id) DO UPDATE SET idx = excluded.idx, term = excluded.term,
                membership = excluded.membership, data = excluded.data
            """
        ).run(snapshot.index, snapshot.term, snapshot.membership.encoded())
    }
}
