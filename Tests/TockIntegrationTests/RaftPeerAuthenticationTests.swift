import Foundation
import Logging
import TockRaft
import TockRaftTransport
import TockTestSupport
import XCTest

/// A 3-node shard of real `tock shard` processes with a cluster secret, and intruders that reach its Raft ports:
/// one with another secret, one from another shard, one from another cluster. Each floods every node with votes
/// and leadership hand-offs of a far higher term; every node refuses them at the handshake (counted in
/// tock_shard_raft_peers_refused_total), and the leader keeps its term and its leadership.
final class RaftPeerAuthenticationTests: XCTestCase {
    var tock: TockHarness!
    var cluster: ShardClusterProcesses!

    override func setUp() async throws {
        tock = try await TockHarness.start(shard: false)
        cluster = ShardClusterProcesses(harness: tock)
    }

    override func tearDown() async throws {
        cluster?.stopAll()
        if (testRun?.totalFailureCount ?? 0) > 0 { cluster?.printLogs() }
        await tock?.shutdown()
    }

    func testIntrudersCannotDisturbTheShard() async throws {
        for node in cluster.names { try cluster.start(node) }
        let leader = try await cluster.awaitLeader()
        let leaderStatus = try await cluster.status(of: leader)
        let term = try XCTUnwrap(leaderStatus["term"]?.int)

        let wrongSecret = try RaftClusterSecret(Array("not the secret of this cluster at all".utf8))
        let secret = try RaftClusterSecret(Array(try Data(contentsOf: cluster.secretFile)))
        let intruders: [(String, RaftPeerIdentity)] = [
            ("secret", RaftPeerIdentity(clusterID: "tock", shard: 0, secret: wrongSecret)),
            ("shard", RaftPeerIdentity(clusterID: "tock", shard: 1, secret: secret)),
            ("cluster", RaftPeerIdentity(clusterID: "staging", shard: 0, secret: secret)),
        ]
        for (reason, identity) in intruders {
            // It claims to be a member, so only the proof, the shard or the cluster can give it away.
            let impostor: NodeID = cluster.names.first { $0 != leader }!
            var logger = Logger(label: "intruder")
            logger.logLevel = .critical
            let transport = RaftPeerTransport(
                id: impostor, listenHost: "127.0.0.1", listenPort: 0,
                peers: Dictionary(
                    uniqueKeysWithValues: cluster.names.filter { $0 != impostor }.map {
                        ($0, (host: "127.0.0.1", port: cluster.raftPort($0)))
                    }),
                logger: logger, onMessage: { _ in }, identity: identity)
            _ = try await transport.start()
            let deadline = ContinuousClock.now + .seconds(2)
            while ContinuousClock.now < deadline {
                let higher = UInt64(term) + 1000
                transport.send(
                    cluster.names.filter { $0 != impostor }.flatMap { node in
                        [
                            Message(kind: .vote, from: impostor, to: node, term: higher, index: .max, logTerm: .max),
                            Message(kind: .timeoutNow, from: leader, to: node, term: higher),
                        ]
                    })
                try await Task.sleep(for: .milliseconds(50))
            }
            await transport.shutdown()

            for node in cluster.names where node != impostor {
                let metrics = try await ObservabilityTests.metrics(cluster.base(node))
                let labels = ["shard": "0", "reason": reason]
                let refused = metrics.value("tock_shard_raft_peers_refused_total", labels) ?? 0
                XCTAssertGreaterThan(refused, 0, "\(node) counted no refusal for \(reason)")
            }
        }
        for node in cluster.names {
            let status = try await cluster.status(of: node)
            XCTAssertEqual(status["term"]?.int, term, "\(node)'s term moved")
            XCTAssertEqual(status["leader"]?.string, leader, "\(node) follows another leader")
        }
        // The cluster itself still works.
        let created = try await tock.submit(#"{"url": "\#(tock.sink.baseURL)/ok"}"#, base: cluster.base(leader))
        XCTAssertEqual(created.status, 201, "\(created.json)")
    }
}
