import Foundation
import TockRaft
import TockSQLite
import XCTest

@testable import TockShard

/// The log's store on a real SQLite file: recording a snapshot leaves the entries it covers to `pruneCompacted`,
/// which deletes them oldest first, about a byte budget per call, never one the snapshot does not cover.
final class RaftStoreTests: XCTestCase {
    var path: String!
    var database: DatabaseQueue!

    override func setUpWithError() throws {
        path =
            FileManager.default.temporaryDirectory.appendingPathComponent("tock-store-\(UUID().uuidString).sqlite").path
        database = try DatabaseQueue(path: path)
        try database.syncWrite { try ShardSchema.migrate($0) }
    }

    override func tearDownWithError() throws {
        database = nil
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    /// Stores entries 1...count of `bytes` each, and a snapshot at `snapshotIndex`.
    func store(count: UInt64, bytes: Int, snapshotIndex: UInt64) throws {
        let membership = Membership(voters: ["n1"])
        try database.syncWrite { db in
            let insert = try db.statement("INSERT INTO raft_entries (idx, term, kind, data) VALUES (?, 1, ?, ?)")
            for index in 1...count {
                try insert.run(index, Int64(Entry.Kind.normal.rawValue), Array(repeating: UInt8(7), count: bytes))
            }
            try RaftStore.compact(to: Snapshot(index: snapshotIndex, term: 1, membership: membership), in: db)
        }
    }

    func storedIndexes() throws -> [UInt64] {
        try database.syncWrite { try $0.statement("SELECT idx FROM raft_entries ORDER BY idx").map { $0.uint64(0) } }
    }

    func testPruningDeletesTheCoveredEntriesABudgetAtATime() throws {
        try store(count: 100, bytes: 10_000, snapshotIndex: 60)
        XCTAssertEqual(try storedIndexes().count, 100, "recording the snapshot deletes nothing by itself")

        var calls = 0
        var more = true
        while more {
            let before = try storedIndexes()
            more = try database.syncWrite { try RaftStore.pruneCompacted(byteBudget: 50_000, in: $0) }
            let deleted = before.count - (try storedIndexes()).count
            XCTAssertLessThanOrEqual(deleted, 5, "about the budget's worth (5 entries of 10 kB) per call")
            calls += 1
            XCTAssertLessThan(calls, 100, "pruning never finishes")
        }
        XCTAssertEqual(calls, 12, "60 entries, 5 a call")
        XCTAssertEqual(try storedIndexes(), Array(61...100), "every covered entry gone, every later one kept")
        XCTAssertFalse(try database.syncWrite { try RaftStore.pruneCompacted(byteBudget: 50_000, in: $0) })

        let state = try database.syncWrite { try RaftStore.load(from: $0) }
        XCTAssertEqual(state.entries.map(\.index), Array(61...100))
    }

    func testAnEntryLargerThanTheBudgetIsStillPruned() throws {
        try store(count: 3, bytes: 100_000, snapshotIndex: 2)
        XCTAssertTrue(try database.syncWrite { try RaftStore.pruneCompacted(byteBudget: 1_000, in: $0) })
        XCTAssertEqual(try storedIndexes(), [2, 3])
        XCTAssertFalse(try database.syncWrite { try RaftStore.pruneCompacted(byteBudget: 1_000, in: $0) })
        XCTAssertEqual(try storedIndexes(), [3])
    }

    func testEntriesLoadedAfterTheSnapshotEvenBeforePruning() throws {
        try store(count: 10, bytes: 10, snapshotIndex: 4)
        let state = try database.syncWrite { try RaftStore.load(from: $0) }
        XCTAssertEqual(state.snapshot?.index, 4)
        XCTAssertEqual(state.entries.map(\.index), Array(5...10))
    }
}
