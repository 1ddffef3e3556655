import Foundation
import Logging
import Synchronization
import TockCore
import TockModel
import TockRaft
import TockRaftTransport
import TockSQLite
import TockTestSupport
import TockWire
import XCTest

@testable import TockShard

/// A follower on a real SQLite file receives snapshots over TCP from a hand-driven "leader" transport: data cut
/// off part-way, data that is not a snapshot, and a snapshot of another index all leave it exactly as it was, with
/// no file behind; a good snapshot then replaces its tables.
final class SnapshotTransferTests: XCTestCase {
    var directory: URL!
    var tasks: [Task<Void, any Error>] = []

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tock-snap-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDown() async throws {
        for task in tasks { task.cancel() }
        for task in tasks { _ = await task.result }
        try? FileManager.default.removeItem(at: directory)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func create(_ id: String) -> ShardCommand {
        .createJob(
            JobSpec(
                id: id, priority: .normal,
                target: HTTPTarget(url: "http://h/", method: "POST", headers: [], body: Array("b".utf8)),
                timeoutMs: 1000, maxAttempts: 1, idempotencyKey: "", dueAtNs: 0), createdAtNs: 1)
    }

    var quietLogger: Logger {
        var logger = Logger(label: "test")
        logger.logLevel =
            ProcessInfo.processInfo.environment["TOCK_TEST_LOG"].flatMap { Logger.Level(rawValue: $0) } ?? .critical
        return logger
    }

    func startDriver(_ cluster: RaftClusterConfiguration, database: DatabaseQueue) throws -> RaftDriver {
        let driver = try RaftDriver(
            configuration: cluster, database: database, stateMachine: JobStateMachine(shard: 0),
            logger: quietLogger)
        tasks.append(Task { try await driver.run() })
        return driver
    }

    /// A snapshot file of `jobs` jobs at applied index `index`, made the way a leader makes one.
    func snapshotFile(jobs: Int, index: UInt64) throws -> [UInt8] {
        let source = try Database(path: path("source-\(index).sqlite"))
        try ShardSchema.migrate(source)
        let machine = JobStateMachine(shard: 0)
        try source.transaction {
            for i in 0..<jobs { _ = try machine.apply(create("leader-job-\(i)"), in: source) }
            try source.execute("UPDATE tock_meta SET value = \(index) WHERE key = 'applied_index'")
        }
        let file = path("snapshot-\(index).data")
        _ = try ShardSnapshot.capture(from: source, into: file)
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
    }

    func testBrokenTransfersLeaveTheFollowerUnchangedAndAGoodOneInstalls() async throws {
        // The follower first runs alone and applies some jobs of its own.
        let database = try DatabaseQueue(path: path("follower.sqlite"))
        try database.syncWrite { try ShardSchema.migrate($0) }
        do {
            var alone = RaftClusterConfiguration()
            alone.nodeID = "n2"
            let driver = try startDriver(alone, database: database)
            for i in 0..<10 { _ = try await driver.propose(create("own-\(i)")) }
            tasks.removeLast().cancel()
        }
        for task in tasks { _ = await task.result }
        let jobsBefore = try await database.read { db in
            try db.statement("SELECT group_concat(id) FROM (SELECT id FROM jobs ORDER BY id)").first { $0.text(0) }
        }
        let appliedBefore = try await database.read { db in
            try db.statement("SELECT value FROM tock_meta WHERE key = 'applied_index'").first { $0.uint64(0) }
        }

        // Now it is one of two voters, and "n1" is a bare transport that sends whatever snapshot data it is given.
        let (leaderPort, followerPort) = (freeLoopbackPort(), freeLoopbackPort())
        var cluster = RaftClusterConfiguration()
        cluster.nodeID = "n2"
        cluster.peers = [
            "n1": HostPort(host: "127.0.0.1", port: leaderPort),
            "n2": HostPort(host: "127.0.0.1", port: followerPort),
        ]
        let follower = try startDriver(cluster, database: database)
        let store = ScriptedSnapshotStore()
        let heard = Mutex<[Message]>([])
        let leader = RaftPeerTransport(
            id: "n1", listenHost: "127.0.0.1", listenPort: leaderPort, peers: ["n2": ("127.0.0.1", followerPort)],
            logger: quietLogger, onMessage: { message in heard.withLock { $0.append(message) } }, snapshots: store)
        _ = try await leader.start()
        defer { Task { await leader.shutdown() } }

        let membership = Membership(voters: ["n1", "n2"])
        let good = try snapshotFile(jobs: 30, index: 1000)
        var term: UInt64 = 5
        func offer(_ data: [UInt8], failAfter: Int? = nil, index: UInt64 = 1000) async throws {
            store.set(data, failAfter: failAfter)
            let snapshot = Snapshot(index: index, term: term, membership: membership)
            leader.send([Message(kind: .snapshot, from: "n1", to: "n2", term: term, snapshot: snapshot)])
            // A heartbeat of a newer term behind it: once the follower answers it, the snapshot went before.
            term += 1
            let marker = term
            _ = try await eventually(within: .seconds(20), "the follower to hear term \(marker)") {
                leader.send([Message(kind: .heartbeat, from: "n1", to: "n2", term: marker)])
                return heard.withLock { $0.contains { $0.kind == .heartbeatResponse && $0.term == marker } }
                    ? true : nil
            }
        }
        func assertUnchanged(_ what: String) async throws {
            _ = try await eventually("no partial file left after \(what)") {
                let names = try FileManager.default.contentsOfDirectory(atPath: self.path("follower.sqlite-snapshots"))
                return names.isEmpty ? true : nil
            }
            let jobs = try await database.read { db in
                try db.statement("SELECT group_concat(id) FROM (SELECT id FROM jobs ORDER BY id)").first { $0.text(0) }
            }
            let applied = try await database.read { db in
                try db.statement("SELECT value FROM tock_meta WHERE key = 'applied_index'").first { $0.uint64(0) }
            }
            XCTAssertEqual(jobs, jobsBefore, what)
            XCTAssertEqual(applied, appliedBefore, what)
            XCTAssertEqual(follower.status.snapshotIndex, 0, what)
            XCTAssertFalse(heard.withLock { $0.contains { $0.kind == .appendResponse && $0.index == 1000 } }, what)
        }

        try await offer(good, failAfter: 0)
        try await assertUnchanged("a transfer cut off")
        var garbage = good
        for offset in stride(from: 0, to: garbage.count, by: 97) { garbage[offset] ^= 0x5A }
        try await offer(garbage)
        try await assertUnchanged("data that is not a snapshot")
        try await offer(Array(good.prefix(good.count / 2)))
        try await assertUnchanged("half a snapshot file")
        try await offer(try snapshotFile(jobs: 3, index: 999))
        try await assertUnchanged("a snapshot of another index")

        try await offer(good)
        _ = try await eventually("the good snapshot to be installed") {
            follower.status.appliedIndex == 1000 ? true : nil
        }
        let installed = try await database.read { db in
            try db.statement("SELECT COUNT(*) FROM jobs WHERE id LIKE 'leader-job-%'").first { $0.int(0) }
        }
        let own = try await database.read { db in
            try db.statement("SELECT COUNT(*) FROM jobs WHERE id LIKE 'own-%'").first { $0.int(0) }
        }
        XCTAssertEqual(installed, 30)
        XCTAssertEqual(own, 0, "a snapshot replaces the tables")
        XCTAssertEqual(follower.status.snapshotIndex, 1000)
        XCTAssertTrue(
            FileManager.default.fileExists(atPath: path("follower.sqlite-snapshots/snapshot-1000-\(term - 1).sqlite")))
    }
}

/// Serves one snapshot's data, whatever the index asked for; optionally fails after some pieces, as a leader whose
/// disk or connection fails mid-transfer.
final class ScriptedSnapshotStore: SnapshotStore {
    private let script = Mutex<(data: [UInt8], failAfter: Int?)>(([], nil))

    func set(_ data: [UInt8], failAfter: Int?) { script.withLock { $0 = (data, failAfter) } }

    func openForSending(_ snapshot: Snapshot) async throws -> any SnapshotSource {
        let (data, failAfter) = script.withLock { $0 }
        return Source(data: data, failAfter: failAfter)
    }

    func beginReceiving(_ snapshot: Snapshot, from peer: NodeID) async throws -> any SnapshotSink {
        throw Refused()
    }

    struct Refused: Error {}
    struct Failed: Error {}

    final class Source: SnapshotSource {
        let data: [UInt8]
        let failAfter: Int?
        let position = Mutex((offset: 0, pieces: 0))

        init(data: [UInt8], failAfter: Int?) {
            self.data = data
            self.failAfter = failAfter
        }

        func read(maxBytes: Int) async throws -> [UInt8] {
            try position.withLock { position in
                // Pieces are read one ahead of sending, so failing at read n+1 cuts the transfer after piece n.
                if let failAfter, position.pieces > failAfter { throw Failed() }
                let end = min(position.offset + min(maxBytes, 4096), data.count)
                defer { position = (end, position.pieces + 1) }
                return Array(data[position.offset..<end])
            }
        }

        func close() async {}
    }
}
