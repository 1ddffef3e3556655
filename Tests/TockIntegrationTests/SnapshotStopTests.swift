import Foundation
import TockCore
import TockTestSupport
import XCTest

/// A shard node stops on SIGTERM in the middle of a Raft snapshot transfer, on either end, and the group still
/// catches the node up afterwards. The transfer is held open by SIGSTOPping the other end once it has begun: the
/// receiver then waits for data that does not come, and the sender for a peer that does not read.
final class SnapshotStopTests: XCTestCase {
    var tock: TockHarness!
    var cluster: ShardClusterProcesses!

    override func setUp() async throws {
        tock = try await TockHarness.start(shard: false, executor: false)
        cluster = ShardClusterProcesses(harness: tock)
    }

    override func tearDown() async throws {
        cluster?.stopAll()
        if (testRun?.totalFailureCount ?? 0) > 0 { cluster?.printLogs() }
        await tock?.shutdown()
    }

    func log(_ node: String) -> String {
        (try? String(contentsOf: tock.dataDirectory.appendingPathComponent("\(node).log"), encoding: .utf8)) ?? ""
    }

    func occurrences(of text: String, in node: String) -> Int {
        log(node).components(separatedBy: text).count - 1
    }

    /// SIGTERMs `node` and waits for it to exit 0 within the shard's stop bound.
    func stopsOnSIGTERM(_ node: String, _ state: String) async throws {
        let process = try XCTUnwrap(cluster.process(node))
        kill(process.processIdentifier, SIGTERM)
        _ = try await eventually(within: .seconds(10), "\(node) to exit on SIGTERM \(state)") {
            process.isRunning ? nil : true
        }
        XCTAssertEqual(process.terminationReason, .exit, "\(node) \(state)")
        XCTAssertEqual(process.terminationStatus, 0, "\(node) stopped cleanly \(state)")
    }

    func testANodeStopsOnSIGTERMWhileSendingOrReceivingASnapshot() async throws {
        let (left, a, b) = ("n3", "n1", "n2")
        try cluster.start(a)
        try cluster.start(b)
        let leader = try await cluster.awaitLeader(among: [a, b])

        // About 40 MB of snapshot (--snapshot-every 100), more than loopback's socket buffers hold, so a sender
        // whose peer is stopped blocks.
        let body = String(repeating: "0123456789abcdef", count: 12_800)
        var acknowledged: [String] = []
        for i in 0..<200 {
            let reply = try await tock.request(
                .POST, "/v1/jobs",
                body: """
                    {"url": "http://127.0.0.1:9/x", "delay": "1h", "body": "\(i)\(body)"}
                    """, base: cluster.base(leader))
            XCTAssertEqual(reply.status, 201, "\(reply.json)")
            if let id = reply["id"]?.string { acknowledged.append(id) }
        }
        _ = try await eventually(within: .seconds(20), "the leader to take a snapshot") {
            self.occurrences(of: "snapshot taken", in: leader) > 0 ? true : nil
        }

        // The receiving end: the new node is stopped while its snapshot is half-way in.
        try cluster.start(left)
        _ = try await eventually(within: .seconds(30), "\(left) to start receiving a snapshot") {
            self.occurrences(of: "raft snapshot arriving", in: left) > 0 ? true : nil
        }
        let leaderProcess = try XCTUnwrap(cluster.process(leader))
        kill(leaderProcess.processIdentifier, SIGSTOP)
        XCTAssertEqual(
            occurrences(of: "raft snapshot received", in: left), 0,
            "the transfer ended before the sender could be paused: the test did not test")
        try await stopsOnSIGTERM(left, "while receiving a snapshot")
        kill(leaderProcess.processIdentifier, SIGCONT)

        // The sending end: the leader (perhaps another one after the pause) is stopped while the paused receiver
        // holds its snapshot half-way.
        let sender = try await cluster.awaitLeader(among: [a, b])
        let sentBefore = occurrences(of: "raft snapshot sent", in: sender)
        try cluster.start(left)
        _ = try await eventually(within: .seconds(30), "\(left) to start receiving a snapshot again") {
            self.occurrences(of: "raft snapshot arriving", in: left) > 1 ? true : nil
        }
        let receiver = try XCTUnwrap(cluster.process(left))
        kill(receiver.processIdentifier, SIGSTOP)
        XCTAssertEqual(
            occurrences(of: "raft snapshot sent", in: sender), sentBefore,
            "the transfer ended before the receiver could be paused: the test did not test")
        try await stopsOnSIGTERM(sender, "while sending a snapshot")
        kill(receiver.processIdentifier, SIGCONT)

        // The group elects a leader and catches the new node up; nothing acknowledged is missing.
        try cluster.start(sender)
        let last = try await cluster.awaitLeader(within: .seconds(30))
        let target = try await cluster.status(of: last)["commit_index"]?.int ?? 0
        _ = try await eventually(within: .seconds(60), "\(left) to catch up by snapshot") {
            let status = try? await self.cluster.status(of: left)
            return (status?["applied_index"]?.int ?? 0) >= target ? true : nil
        }
        for id in acknowledged {
            let reply = try await tock.job(id, base: cluster.base(left))
            XCTAssertEqual(reply.status, 200, "acknowledged job \(id) lost")
        }
    }
}
