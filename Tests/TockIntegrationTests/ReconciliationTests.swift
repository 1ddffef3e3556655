import Foundation
import TockCore
import TockModel
import TockNATS
import TockShard
import TockTestSupport
import TockWire
import XCTest

/// Runs the shard holds as published whose message JetStream no longer has — the stream purged, the server back
/// on an empty store, the message discarded by `max_msgs` — are published again by the leader and succeed; a run
/// whose message is still in the stream is left alone, so its webhook is not called twice.
final class ReconciliationTests: XCTestCase {
    var tock: TockHarness!

    override func tearDown() async throws {
        await tock?.shutdown()
    }

    /// A shard that looks every 200 ms and believes in a 1 s ack wait, so a run of one attempt with a 1 s timeout
    /// is overdue after 2 s; no executor until the test starts one.
    private func start(queues: QueueConfig = QueueConfig()) async throws {
        tock = try await TockHarness.start(shard: false, executor: false)
        if queues != QueueConfig() {
            let connection = try NATSConnection.connect(url: tock.nats.url)
            defer { connection.close() }
            try JetStreamSetup.apply(queues, to: try connection.jetStream())
        }
        try await startShard(queues: queues)
    }

    private func startShard(queues: QueueConfig = QueueConfig()) async throws {
        try await tock.startShard { configuration in
            configuration.reconcileInterval = .milliseconds(200)
            configuration.lostRunAfter = .seconds(1)
            configuration.queues = queues
            for priority in Priority.allCases {
                configuration.queues.priorities[priority]?.consumer.ackWaitNs = 1_000_000_000
                configuration.queues.priorities[priority]?.backoffNs = [200_000_000]
            }
        }
    }

    private func submit(_ count: Int, path: String = "ok", timeout: String = "1s") async throws -> [String] {
        var ids: [String] = []
        for i in 0..<count {
            let created = try await tock.submit(
                #"""
                {"url": "\#(tock.sink.baseURL)/\#(path)", "body": "run \#(i)", "max_attempts": 1, "timeout": "\#(timeout)"}
                """#)
            XCTAssertEqual(created.status, 201, "\(created.json)")
            ids.append(try XCTUnwrap(created["id"]?.string))
        }
        return ids
    }

    private func withJetStream<T>(_ body: (JetStream) throws -> T) throws -> T {
        let connection = try NATSConnection.connect(url: tock.nats.url)
        defer { connection.close() }
        return try body(try connection.jetStream())
    }

    /// The completions TOCK_DONE holds, however many to a message (`CompletionBatch`).
    private func completionsWaiting() async throws -> Int {
        let connection = try NATSConnection.connect(url: tock.nats.url)
        defer { connection.close() }
        let js = try connection.jetStream()
        let state = try js.streamInfo(Subjects.doneStream)
        guard state.messages > 0 else { return 0 }
        var count = 0
        for sequence in state.firstSequence...state.lastSequence {
            guard let message = try await js.storedMessage(stream: Subjects.doneStream, sequence: sequence) else {
                continue
            }
            count += (try? CompletionBatch(decoding: message.payload).completions.count) ?? 1
        }
        return count
    }

    private func metric(_ name: String) throws -> Double {
        let text = try XCTUnwrap(tock.node).metrics.registry.exposition()
        return try PrometheusText(parsing: text).sum(name)
    }

    private func expectEachCalledOnce(_ ids: [String], file: StaticString = #filePath, line: UInt = #line) async throws
    {
        for id in ids { _ = try await tock.waitForState(id, "succeeded", within: .seconds(30), file: file, line: line) }
        for id in ids {
            XCTAssertEqual(tock.sink.requests(forJob: id).count, 1, "calls of \(id)", file: file, line: line)
        }
    }

    func testRunsPublishedBeforeTheStreamWasPurgedAreRepublishedAndSucceedOnce() async throws {
        try await start()
        let ids = try await submit(5)
        for id in ids { _ = try await tock.waitForState(id, "published") }
        try withJetStream { try $0.purgeStream(Subjects.jobsStream(priority: .normal)) }

        _ = try await eventually(within: .seconds(15), "the lost runs republished") {
            try metric("tock_shard_runs_republished_total") >= 5 ? true : nil
        }
        XCTAssertEqual(try metric("tock_shard_runs_lost_total"), 5)
        let depth = try withJetStream { try $0.streamInfo(Subjects.jobsStream(priority: .normal)).messages }
        XCTAssertEqual(depth, 5, "each lost run is in the stream once again")
        tock.startExecutor(backoffBase: .milliseconds(200))
        try await expectEachCalledOnce(ids)
    }

    func testRunsPublishedBeforeNATSCameBackOnAnEmptyStoreSucceedOnce() async throws {
        try await start()
        let ids = try await submit(4)
        for id in ids { _ = try await tock.waitForState(id, "published") }
        tock.nats.stop()
        try FileManager.default.removeItem(at: tock.nats.storeDirectory)
        try tock.nats.restart()
        // The operator applies the streams again (`tock nats apply`); they number their messages from 1 again.
        _ = try withJetStream { try JetStreamSetup.apply(QueueConfig(), to: $0) }

        tock.startExecutor(backoffBase: .milliseconds(200))
        try await expectEachCalledOnce(ids)
        XCTAssertGreaterThanOrEqual(try metric("tock_shard_runs_lost_total"), 4)
    }

    func testARunWhoseMessageMaxMessagesDiscardedSucceeds() async throws {
        var queues = QueueConfig()
        queues.priorities[.normal]?.stream.maxMessages = 2
        try await start(queues: queues)
        let ids = try await submit(3)
        for id in ids { _ = try await tock.waitForState(id, "published") }
        let depth = try withJetStream { try $0.streamInfo(Subjects.jobsStream(priority: .normal)).messages }
        XCTAssertEqual(depth, 2, "the stream discarded the oldest run")

        tock.startExecutor(backoffBase: .milliseconds(200))
        try await expectEachCalledOnce(ids)
        XCTAssertGreaterThanOrEqual(try metric("tock_shard_runs_lost_total"), 1)
    }

    func testRunsStillInTheStreamAreLeftAloneWhileSlowWebhooksRun() async throws {
        try await start()
        // Out 3 s before they are overdue (2 s timeout plus the 1 s ack wait the shard believes); each webhook
        // takes 1.5 s and one runs at a time, so the last ones are looked up while waiting or running.
        let ids = try await submit(5, path: "slow/1500", timeout: "2s")
        tock.startExecutor(backoffBase: .milliseconds(200)) { $0.perHostConcurrency = 1 }
        try await expectEachCalledOnce(ids)
        XCTAssertGreaterThan(
            try metric("tock_shard_runs_checked_total"), 0, "no run was looked up: the test proves nothing")
        XCTAssertEqual(try metric("tock_shard_runs_lost_total"), 0)
        XCTAssertEqual(try metric("tock_shard_runs_republished_total"), 0)
    }

    func testABacklogThatWaitsForAnExecutorIsNotPublishedTwice() async throws {
        try await start()
        let ids = try await submit(3)
        for id in ids { _ = try await tock.waitForState(id, "published") }
        _ = try await eventually(within: .seconds(15), "the waiting runs looked up") {
            try metric("tock_shard_runs_checked_total") >= 3 ? true : nil
        }
        tock.startExecutor(backoffBase: .milliseconds(200))
        try await expectEachCalledOnce(ids)
        XCTAssertEqual(try metric("tock_shard_runs_lost_total"), 0)
    }

    func testRunsThatFinishedWhileTheShardWasDownAreNotPublishedAgain() async throws {
        try await start()
        let ids = try await submit(4)
        for id in ids { _ = try await tock.waitForState(id, "published") }
        await tock.stopShard()
        // The executor calls them and acks their messages away; their completions wait in TOCK_DONE.
        tock.startExecutor(backoffBase: .milliseconds(200))
        _ = try await eventually("the completions waiting in TOCK_DONE") {
            try await self.completionsWaiting() == ids.count ? true : nil
        }
        _ = try await eventually("the runs' messages acked away") {
            try withJetStream { try $0.streamInfo(Subjects.jobsStream(priority: .normal)).messages } == 0 ? true : nil
        }
        try await Task.sleep(for: .seconds(2))  // past the runs' in-flight bound: overdue when the shard is back

        try await startShard()
        try await expectEachCalledOnce(ids)
        XCTAssertEqual(try metric("tock_shard_runs_lost_total"), 0)
        XCTAssertEqual(try metric("tock_shard_runs_republished_total"), 0)
    }
}
