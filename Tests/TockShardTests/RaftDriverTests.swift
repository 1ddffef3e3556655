import Foundation
import Logging
import Synchronization
import TockConcurrency
import TockCore
import TockModel
import TockRaft
import TockSQLite
import TockTestSupport
import TockWire
import XCTest

@testable import TockShard

/// The Raft driver on real SQLite files, alone and as a 3-node group over loopback TCP: proposals commit and
/// survive a reopen, the log is compacted behind snapshots, followers refuse writes, and a node that was away
/// catches up from a snapshot.
final class RaftDriverTests: XCTestCase {
    var directory: URL!
    var tasks: [Task<Void, any Error>] = []

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tock-raft-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDown() async throws {
        for task in tasks { task.cancel() }
        for task in tasks { _ = await task.result }
        try? FileManager.default.removeItem(at: directory)
    }

    struct Started {
        var driver: RaftDriver
        var database: DatabaseQueue
        var task: Task<Void, any Error>
    }

    func start(
        _ cluster: RaftClusterConfiguration, file: String, clock: any LoopClock = SystemLoopClock()
    ) throws -> Started {
        let database = try DatabaseQueue(path: directory.appendingPathComponent(file).path)
        try database.syncWrite { try ShardSchema.migrate($0) }
        var logger = Logger(label: "test")
        logger.logLevel =
            ProcessInfo.processInfo.environment["TOCK_TEST_LOG"].flatMap { Logger.Level(rawValue: $0) } ?? .critical
        let driver = try RaftDriver(
            configuration: cluster, database: database,
            stateMachine: JobStateMachine(shard: 0), logger: logger, clock: clock)
        let task = Task { try await driver.run() }
        tasks.append(task)
        return Started(driver: driver, database: database, task: task)
    }

    func stop(_ node: Started) async {
        node.task.cancel()
        _ = await node.task.result
    }

    func create(_ id: String, bodyBytes: Int = 0) -> ShardCommand {
        .createJob(
            JobSpec(
                id: id, priority: .normal,
                target: HTTPTarget(
                    url: "http://h/", method: "POST", headers: [],
                    body: Array(repeating: UInt8(ascii: "b"), count: bodyBytes)),
                timeoutMs: 1000, maxAttempts: 1, idempotencyKey: "", dueAtNs: 0), createdAtNs: 1)
    }

    func snapshotFiles(of file: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("\(file)-snapshots").path)
            .sorted()
    }

    func count(_ sql: String, in database: DatabaseQueue) async throws -> Int {
        try await database.read { try $0.statement(sql).first { $0.int(0) } ?? -1 }
    }

    func proposeAll(_ commands: [ShardCommand], to driver: RaftDriver) async throws -> [ApplyResult] {
        try await withThrowingTaskGroup(of: ApplyResult.self) { group in
            for command in commands { group.addTask { try await driver.propose(command) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    func testAGroupOfOneCommitsConcurrentProposalsAndContinuesAfterReopen() async throws {
        let first = try start(RaftClusterConfiguration(), file: "one.sqlite")
        let results = try await proposeAll((0..<500).map { create("job-\($0)") }, to: first.driver)
        XCTAssertTrue(results.allSatisfy { if case .created = $0 { true } else { false } })
        let applied = try await count("SELECT value FROM tock_meta WHERE key = 'applied_index'", in: first.database)
        XCTAssertGreaterThanOrEqual(applied, 501, "500 commands and the leader's no-op")
        XCTAssertLessThan(first.driver.persistTransactions, 250, "group commit: entries share transactions")
        await stop(first)

        let second = try start(RaftClusterConfiguration(), file: "one.sqlite")
        guard case .created = try await second.driver.propose(create("job-after-reopen")) else {
            return XCTFail("not created")
        }
        try await second.driver.readBarrier()
        let jobs = try await count("SELECT COUNT(*) FROM jobs", in: second.database)
        XCTAssertEqual(jobs, 501)
        XCTAssertEqual(second.driver.status.role, "leader")
        XCTAssertGreaterThan(second.driver.status.term, 1, "a restart holds a new election")
    }

    func testTheLogIsCompactedBehindSnapshotsAndReopensFromThem() async throws {
        var cluster = RaftClusterConfiguration()
        cluster.snapshotEvery = 100
        let first = try start(cluster, file: "snap.sqlite")
        for batch in 0..<5 {
            _ = try await proposeAll((0..<100).map { create("job-\(batch)-\($0)") }, to: first.driver)
        }
        // Snapshots are copied beside the loop, so the last one lands a moment after the proposals return.
        let snapshotIndex = try await eventually("a snapshot at 400 or later") {
            first.driver.status.snapshotIndex >= 400 ? first.driver.status.snapshotIndex : nil
        }
        // The covered entries are deleted a budget at a time after the snapshot, so the loop never stalls on them.
        _ = try await eventually("the entries the snapshot covers deleted") {
            try await count("SELECT COUNT(*) FROM raft_entries WHERE idx <= \(snapshotIndex)", in: first.database) == 0
                ? true : nil
        }
        let entries = try await count("SELECT COUNT(*) FROM raft_entries", in: first.database)
        XCTAssertLessThan(entries, 200)
        await stop(first)
        XCTAssertEqual(
            try snapshotFiles(of: "snap.sqlite"),
            ["snapshot-\(first.driver.status.snapshotIndex)-\(first.driver.status.term).sqlite"],
            "one file, the current snapshot's")

        let second = try start(cluster, file: "snap.sqlite")
        try await second.driver.readBarrier()
        let jobs = try await count("SELECT COUNT(*) FROM jobs", in: second.database)
        XCTAssertEqual(jobs, 500)
        XCTAssertGreaterThanOrEqual(second.driver.status.snapshotIndex, snapshotIndex)
    }

    /// A data directory from before snapshot files: `raft_snapshot.data` holds the image, and there is no file. The
    /// node starts without reading the blob, takes a snapshot file at once and drops the blob.
    func testADataDirectoryWithAnOldSnapshotBlobStartsAndGetsASnapshotFile() async throws {
        var cluster = RaftClusterConfiguration()
        cluster.snapshotEvery = 100
        let first = try start(cluster, file: "old.sqlite")
        _ = try await proposeAll((0..<150).map { create("job-\($0)") }, to: first.driver)
        _ = try await eventually("a snapshot") { first.driver.status.snapshotIndex > 0 ? true : nil }
        await stop(first)
        let blob = [UInt8]("TKS1".utf8) + Array(repeating: 7, count: 1 << 20)
        _ = try await first.database.write { db in
            try db.statement("UPDATE raft_snapshot SET data = ?").run(blob)
        }
        try FileManager.default.removeItem(at: directory.appendingPathComponent("old.sqlite-snapshots"))

        let second = try start(cluster, file: "old.sqlite")
        _ = try await eventually("a snapshot file") { try? self.snapshotFiles(of: "old.sqlite").first }
        _ = try await eventually("the blob dropped") {
            try await self.count("SELECT length(data) FROM raft_snapshot", in: second.database) == 0 ? true : nil
        }
        try await second.driver.readBarrier()
        let jobs = try await count("SELECT COUNT(*) FROM jobs", in: second.database)
        XCTAssertEqual(jobs, 150)
        let index = try await count("SELECT idx FROM raft_snapshot", in: second.database)
        let term = try await count("SELECT term FROM raft_snapshot", in: second.database)
        XCTAssertEqual(second.driver.status.snapshotIndex, UInt64(index))
        XCTAssertEqual(try snapshotFiles(of: "old.sqlite"), ["snapshot-\(index)-\(term).sqlite"])
    }

    func testThreeNodesReplicateFollowersRefuseAndALaggingNodeCatchesUpBySnapshot() async throws {
        let ports = (0..<3).map { _ in freeLoopbackPort() }
        let names = ["n1", "n2", "n3"]
        func configuration(_ name: String) -> RaftClusterConfiguration {
            var cluster = RaftClusterConfiguration()
            cluster.nodeID = name
            cluster.peers = Dictionary(
                uniqueKeysWithValues: zip(names, ports.map { HostPort(host: "127.0.0.1", port: $0) }))
            cluster.snapshotEvery = 50
            return cluster
        }
        let nodes = try names.map { try start(configuration($0), file: "\($0).sqlite") }
        let leader = try await awaitLeader(nodes.map(\.driver))
        let leaderIndex = names.firstIndex(of: leader)!
        let followerIndex = (leaderIndex + 1) % 3
        let laggingIndex = (leaderIndex + 2) % 3

        do {
            _ = try await nodes[followerIndex].driver.propose(create("refused"))
            XCTFail("a follower accepted a proposal")
        } catch RaftDriverError.notLeader(let hint) {
            XCTAssertEqual(hint, leader)
        }
        do {
            try await nodes[followerIndex].driver.readBarrier()
            XCTFail("a follower served a linearizable read")
        } catch RaftDriverError.notLeader {}

        // One node goes away; the other two still form a quorum and move the log well past a snapshot.
        await stop(nodes[laggingIndex])
        // One at a time, so there are more appends than the leader keeps in flight to the absent node (which it
        // would get, queued, on its return); bodies of 8 KiB make the snapshot several transport pieces long.
        for i in 0..<200 {
            _ = try await nodes[leaderIndex].driver.propose(create("job-\(i)", bodyBytes: 8 << 10))
        }
        _ = try await eventually("the leader to compact its log") {
            nodes[leaderIndex].driver.status.snapshotIndex > 0 ? true : nil
        }

        let returning = try start(configuration(names[laggingIndex]), file: "\(names[laggingIndex]).sqlite")
        let target = nodes[leaderIndex].driver.status.commitIndex
        _ = try await eventually(within: .seconds(15), "the returning node to catch up") {
            returning.driver.status.appliedIndex >= target ? true : nil
        }
        let jobs = try await count("SELECT COUNT(*) FROM jobs", in: returning.database)
        XCTAssertEqual(jobs, 200)
        XCTAssertGreaterThanOrEqual(
            returning.driver.status.snapshotIndex, nodes[leaderIndex].driver.status.snapshotIndex - 50,
            "caught up by a snapshot")
        let installed = try await count("SELECT COUNT(*) FROM raft_entries WHERE idx <= 40", in: returning.database)
        XCTAssertEqual(installed, 0, "the early entries came in a snapshot, not in appends")
        let bodies = try await count(
            "SELECT COUNT(*) FROM jobs WHERE length(body) = \(8 << 10)", in: returning.database)
        XCTAssertEqual(bodies, 200, "job bodies changed in the snapshot's transfer")
    }

    /// Counted in the leader's own ticks, not in wall time: n1's loop runs on a clock the test moves, the two
    /// others on theirs until they are stopped.
    func testALeaderThatLosesItsQuorumStopsItsDutiesWithinTwoElectionTimeouts() async throws {
        let clock = ManualLoopClock()
        let nodes = try startThree(clockOfN1: clock)
        let driven = nodes[0].driver
        let tick = driven.configuration.tick
        let events = Mutex<[Bool]>([])
        driven.setHandlers(applied: { _ in }, leadership: { leading in events.withLock { $0.append(leading) } })
        try await makeN1Lead(nodes, clock: clock) { events.withLock({ $0.last }) == true }
        for node in nodes.dropFirst() { await stop(node) }
        XCTAssertEqual(driven.status.role, "leader", "no tick has passed since its peers stopped")

        // Check-quorum looks back one election timeout (10 ticks) at a time, so a leader whose peers are silent
        // steps down within two.
        let limit = 2 * driven.configuration.electionTicks
        var ticks = 0
        while events.withLock({ $0.last }) != false, ticks < limit + 5 {
            // Returns once the loop has dealt with the tick, leadership included, and sleeps again.
            let slept = await clock.advance(by: tick)
            XCTAssertTrue(slept, "n1's loop did not sleep again after a tick")
            ticks += 1
        }
        print("ticks without a quorum, until it stepped down or the test gave up: \(ticks)")
        XCTAssertLessThanOrEqual(ticks, limit, "check-quorum took \(ticks) ticks")
        // Its clock is ours: a proposal to a node that still leads would wait for a commit forever.
        guard events.withLock({ $0.last }) == false else {
            return XCTFail("still leading after \(ticks) ticks without a quorum")
        }
        XCTAssertNotEqual(driven.status.role, "leader")
        do {
            _ = try await driven.propose(create("after-quorum-loss"))
            XCTFail("a leader without a quorum accepted a proposal")
        } catch RaftDriverError.notLeader {}
    }

    /// A proposal that cannot commit is answered `outcomeUnknown` when its deadline passes on the loop's clock,
    /// not before: the test moves n1's clock past `requestTimeout` in one step (a stall, so one tick, too few for
    /// check-quorum to depose it) and nobody sleeps.
    func testAProposalThatCannotCommitIsAnsweredAtItsDeadline() async throws {
        let clock = ManualLoopClock()
        let nodes = try startThree(clockOfN1: clock)
        let driven = nodes[0].driver
        try await makeN1Lead(nodes, clock: clock) { true }
        for node in nodes.dropFirst() { await stop(node) }

        let answered = Mutex<String?>(nil)
        let command = create("without-a-quorum")
        let proposal = Task {
            do {
                _ = try await driven.propose(command)
            } catch {
                answered.withLock { $0 = "\(error)" }
                throw error
            }
        }
        // Once n1 shows the entry in its log, the proposal is pending.
        let before = driven.status.lastIndex
        _ = try await eventually(within: .seconds(10), "the proposal in n1's log") {
            driven.status.lastIndex > before ? true : nil
        }
        let tick = driven.configuration.tick
        let tickTaken = await clock.advance(by: tick)
        XCTAssertTrue(tickTaken)
        let early = answered.withLock { $0 }
        XCTAssertNil(early, "answered a tick after it was proposed")

        let timeoutTaken = await clock.advance(by: driven.configuration.requestTimeout)
        XCTAssertTrue(timeoutTaken)
        do {
            try await proposal.value
            XCTFail("a proposal without a quorum committed")
        } catch RaftDriverError.outcomeUnknown {}
        XCTAssertEqual(driven.status.role, "leader", "one tick, however long, does not depose it")
    }

    /// n1 on `clockOfN1`, n2 and n3 on the system clock, over loopback TCP.
    private func startThree(clockOfN1 clock: ManualLoopClock) throws -> [Started] {
        let ports = (0..<3).map { _ in freeLoopbackPort() }
        let names = ["n1", "n2", "n3"]
        return try names.map { name in
            var cluster = RaftClusterConfiguration()
            cluster.nodeID = name
            cluster.peers = Dictionary(
                uniqueKeysWithValues: zip(names, ports.map { HostPort(host: "127.0.0.1", port: $0) }))
            return try start(cluster, file: "\(name).sqlite", clock: name == "n1" ? clock : SystemLoopClock())
        }
    }

    /// n2 or n3 leads first (n1's clock stands still, so it never times out), then hands over to n1, which
    /// campaigns at once when asked. n1 sends heartbeats only on its ticks: one per poll keeps the others from
    /// electing one of them meanwhile.
    private func makeN1Lead(_ nodes: [Started], clock: ManualLoopClock, andThen ready: @escaping @Sendable () -> Bool)
        async throws
    {
        let driven = nodes[0].driver
        let first = try await awaitLeader(nodes.map(\.driver))
        let firstNode = try XCTUnwrap(nodes.first { $0.driver.configuration.nodeID == first })
        if first != "n1" { try await firstNode.driver.transferLeadership(to: "n1") }
        _ = try await eventually(within: .seconds(10), "n1 to lead and take up its duties") {
            await clock.advance(by: driven.configuration.tick)
            return driven.status.role == "leader" && ready() ? true : nil
        }
    }

    func awaitLeader(_ drivers: [RaftDriver]) async throws -> String {
        try await eventually(within: .seconds(15), "a leader") {
            let statuses = drivers.map(\.status)
            guard let leader = statuses.first(where: { $0.role == "leader" }),
                statuses.allSatisfy({ $0.leader == leader.node })
            else { return nil }
            return leader.node
        }
    }
}
