import Foundation
import Logging
import TockCore
import XCTest

@testable import TockShard

/// A shard started without `--peers` has no Raft listener, so a node added to it could never catch up: the request
/// is refused at once, before anything is committed, instead of leaving a learner behind after the catch-up wait.
final class AddNodeWithoutPeersTests: XCTestCase {
    func testASingleNodeShardWithoutPeersRefusesToGrow() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tock-add-node-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var logger = Logger(label: "test.add-node")
        logger.logLevel = .critical
        var configuration = ShardConfiguration(dataDirectory: directory.path)
        configuration.natsURL = "nats://127.0.0.1:1"  // no NATS: only the Raft group matters here
        let node = try await ShardNode(configuration: configuration, logger: logger)
        let running = Task { try await node.run() }
        defer { running.cancel() }
        let leader = await node.waitForLeader(timeout: .seconds(10))
        XCTAssertEqual(leader?.leader, leader?.node, "a group of one leads at once")

        do {
            _ = try await node.addNode(
                "n9", raft: HostPort(host: "127.0.0.1", port: 1),
                http: HostPort(host: "127.0.0.1", port: 2), catchUp: .seconds(1))
            XCTFail("a shard without --peers added a node")
        } catch RaftDriverError.membershipChangeRefused(let reason) {
            XCTAssert(reason.contains("started without --peers"), reason)
        }
        XCTAssertEqual(node.cluster.learners, [])
        XCTAssertEqual(node.cluster.voters, [configuration.cluster.nodeID])
        running.cancel()
        _ = await running.result
    }
}
