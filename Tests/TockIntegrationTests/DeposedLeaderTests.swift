import Foundation
import Logging
import TockCore
import TockModel
import TockNATS
import TockShard
import TockTestSupport
import TockWire
import XCTest

/// A shard leader that loses its quorum stops its duties on the broker, not only in its own bookkeeping: three
/// in-process nodes on loopback Raft share a real nats-server; once the two followers are gone the leader steps
/// down, a completion published then stays undelivered in `TOCK_DONE`, and a run that comes due afterwards
/// is not published — by nobody, since no other node leads.
final class DeposedLeaderTests: XCTestCase {
    var nats: NATSServerProcess!
    var connection: NATSConnection!
    var root: URL!
    var tasks: [String: Task<Void, any Error>] = [:]

    override func setUpWithError() throws {
        nats = try NATSServerProcess.start()
        connection = try NATSConnection.connect(url: nats.url)
        _ = try JetStreamSetup.apply(QueueConfig(), to: try connection.jetStream())
        root = FileManager.default.temporaryDirectory.appendingPathComponent("tock-deposed-\(UUID().uuidString)")
    }

    override func tearDown() async throws {
        for task in tasks.values { task.cancel() }
        for task in tasks.values { _ = await task.result }
        connection?.close()
        nats?.stop()
        if let root { try? FileManager.default.removeItem(at: root) }
    }

    func testALeaderThatLostItsQuorumPublishesAndConsumesNothingMore() async throws {
        let js = try connection.jetStream()
        var logger = Logger(label: "test")
        logger.logLevel =
            ProcessInfo.processInfo.environment["TOCK_TEST_LOG"].flatMap { Logger.Level(rawValue: $0) }
            ?? .critical

        let names = ["n1", "n2", "n3"]
        let peers = Dictionary(
            uniqueKeysWithValues: names.map { ($0, HostPort(host: "127.0.0.1", port: freeLoopbackPort())) })
        var nodes: [String: ShardNode] = [:]
        for name in names {
            var configuration = ShardConfiguration(dataDirectory: root.appendingPathComponent(name).path)
            configuration.natsURL = nats.url
            configuration.cluster.nodeID = name
            configuration.cluster.peers = peers
            let node = try await ShardNode(configuration: configuration, logger: logger)
            nodes[name] = node
            tasks[name] = Task { try await node.run() }
        }
        let started = nodes
        let leaderName: String = try await eventually(within: .seconds(15), "a leader all nodes agree on") {
            let statuses = started.values.map { $0.cluster }
            guard let leader = statuses.first(where: { $0.role == "leader" }),
                statuses.allSatisfy({ $0.leader == leader.node })
            else { return nil }
            return leader.node
        }
        let leader = try XCTUnwrap(nodes[leaderName])
        let stream = Subjects.jobsStream(priority: .normal)
        func messages() throws -> UInt64 { try js.streamInfo(stream).messages }
        func completions() async throws -> ConsumerState {
            try await js.state(stream: Subjects.doneStream, consumer: Subjects.doneConsumer(shard: 0)).1
        }

        // While it leads, its duties run: a run due now is published, its consumer waits for completions.
        _ = try await leader.submit(spec(dueAtNs: leader.nowNs()))
        _ = try await eventually(within: .seconds(5), "the leader to publish a due run") {
            try messages() == 1 ? true : nil
        }
        _ = try await eventually(within: .seconds(5), "the leader's completion consumer to wait for messages") {
            try await completions().numWaiting > 0 ? true : nil
        }
        // Step-down takes up to two election timeouts (1 s here) and the pull requests up to 1 s more to expire.
        let dueAfterDeposition = leader.nowNs() + 4_000_000_000
        _ = try await leader.submit(spec(dueAtNs: dueAfterDeposition))

        for name in names where name != leaderName {
            tasks[name]?.cancel()
            _ = await tasks[name]?.result
        }
        _ = try await eventually(within: .seconds(5), "the cut-off leader to step down") {
            leader.isLeader ? nil : true
        }
        // Pull requests sent before it stepped down expire within 1 s; a completion published before then could
        // go to one of them. (A consumer still running is seen below: zero waiting is also the gap between fetches.)
        _ = try await eventually(within: .seconds(3), "its pull requests to expire on the server") {
            try await completions().numWaiting == 0 ? true : nil
        }
        XCTAssertLessThan(leader.nowNs(), dueAfterDeposition, "stepped down too late for the check below")
        let before = try await completions()
        let now = leader.nowNs()
        _ = try await js.publish(
            subject: Subjects.done(shard: 0),
            payload: Completion(
                jobID: JobID.make(shard: 0, nowNs: now), run: 1, shard: 0, outcome: .succeeded,
                httpStatus: 200, attempts: 1, startedAtNs: now, finishedAtNs: now,
                executorID: "test", error: ""
            ).encoded(),
            msgID: nil)

        // Nothing can signal that nothing happened: watch past the due time by more than the timer's longest sleep.
        let watchUntil = ContinuousClock.now + .nanoseconds(dueAfterDeposition - leader.nowNs()) + .milliseconds(1500)
        try await Task.sleep(until: watchUntil, clock: .continuous)
        XCTAssertEqual(try messages(), 1, "the deposed leader published a run that came due after it stepped down")
        let after = try await completions()
        XCTAssertEqual(
            after.deliveredConsumerSequence, before.deliveredConsumerSequence,
            "the deposed leader's consumer took a completion")
        XCTAssertEqual(after.numPending, 1, "the completion waits for the next leader")
        XCTAssertEqual(after.numWaiting, 0)
    }

    private func spec(dueAtNs: Int64) -> JobSpec {
        JobSpec(
            id: "", priority: .normal,
            target: HTTPTarget(url: "http://sink.invalid/", method: "POST", headers: [], body: []),
            timeoutMs: 1000, maxAttempts: 1, idempotencyKey: "", dueAtNs: dueAtNs)
    }
}
