import TockModel
import TockRaft
import TockWire
import XCTest

@testable import TockRaftTransport

/// The handshake over real TCP: peers of the same cluster, shard and secret talk; anyone else is refused before
/// any of its Raft frames is read, and counted.
final class TransportHandshakeTests: XCTestCase {
    static let secret = try! RaftClusterSecret(Array("a secret of the cluster, 32 bytes".utf8))
    static let otherSecret = try! RaftClusterSecret(Array("the secret of another cluster....".utf8))
    let cluster = RaftPeerIdentity(clusterID: "prod", shard: 3, secret: secret)

    /// A vote with a term far ahead: what an intruder would send to depose a leader.
    func vote(from: NodeID, to: NodeID) -> Message {
        Message(kind: .vote, from: from, to: to, term: 1_000_000, index: 7)
    }

    func testPeersWithTheSameSecretTalk() async throws {
        let receiver = try await Node.start("n2", peers: ["n1": ("127.0.0.1", 1)], identity: cluster)
        let sender = try await Node.start("n1", peers: ["n2": receiver.address], identity: cluster)
        sender.transport.send([vote(from: "n1", to: "n2")])
        await eventually("delivered") { receiver.inbox.count == 1 }
        XCTAssertEqual(receiver.refusals.all, [])
        XCTAssertEqual(sender.refusals.all, [])
        for node in [sender, receiver] { await node.transport.shutdown() }
    }

    /// Each kind of stranger is refused with its reason, and its higher-term vote never reaches Raft.
    func testStrangersAreRefusedAndNothingTheySendIsDelivered() async throws {
        var noSecret = cluster
        noSecret.secret = nil
        var otherSecret = cluster
        otherSecret.secret = Self.otherSecret
        var otherShard = cluster
        otherShard.shard = 4
        var otherCluster = cluster
        otherCluster.clusterID = "staging"
        let cases: [(String, NodeID, RaftPeerIdentity, RaftPeerRefusal.Reason)] = [
            ("another secret", "n1", otherSecret, .secret),
            ("no secret", "n1", noSecret, .secret),
            ("another shard", "n1", otherShard, .shard),
            ("another cluster", "n1", otherCluster, .cluster),
            ("not a member", "n9", cluster, .node),
            ("this node's own id", "n2", cluster, .node),
        ]
        for (what, id, identity, reason) in cases {
            let receiver = try await Node.start("n2", peers: ["n1": ("127.0.0.1", 1)], identity: cluster)
            if id == "n2" {
                // A transport never dials itself; a raw client claims the receiver's own id.
                let client = try RawTCPClient(port: receiver.port)
                XCTAssertNil(client.handshake(as: "n2", to: "n2", identity: identity), what)
            } else {
                let intruder = try await Node.start(id, peers: ["n2": receiver.address], identity: identity)
                intruder.transport.send([vote(from: id, to: "n2")])
                await eventually("\(what): refused") { receiver.refusals.count(reason) >= 1 }
                // The intruder keeps reconnecting; give it time to get anything through.
                for _ in 0..<5 {
                    intruder.transport.send([vote(from: id, to: "n2")])
                    try await Task.sleep(for: .milliseconds(100))
                }
                await intruder.transport.shutdown()
            }
            await eventually("\(what): refused") { receiver.refusals.count(reason) >= 1 }
            XCTAssertEqual(receiver.inbox.count, 0, "\(what): a message got through")
            XCTAssertEqual(Set(receiver.refusals.all), [reason], what)
            await receiver.transport.shutdown()
        }
    }

    /// The client checks the server too: a node that answers with another secret or as another node gets nothing.
    func testAServerThatCannotProveItselfGetsNothing() async throws {
        var otherSecret = cluster
        otherSecret.secret = Self.otherSecret
        let impostor = try await Node.start("n2", identity: otherSecret)
        let sender = try await Node.start("n1", peers: ["n2": impostor.address], identity: cluster)
        sender.transport.send([vote(from: "n1", to: "n2")])
        // The impostor refuses the client's proof first (it cannot check it), so the client sees the connection
        // close: neither side delivers anything.
        await eventually("refused") { impostor.refusals.count(.secret) >= 1 }
        XCTAssertEqual(impostor.inbox.count, 0)

        let wrongNode = try await Node.start("n3", identity: cluster)
        let confused = try await Node.start("n1", peers: ["n2": wrongNode.address], identity: cluster)
        confused.transport.send([vote(from: "n1", to: "n2")])
        await eventually("the server refused a client that meant another node") { wrongNode.refusals.count(.node) >= 1 }
        XCTAssertEqual(wrongNode.inbox.count, 0)
        for node in [sender, impostor, confused, wrongNode] { await node.transport.shutdown() }
    }

    /// A raw client that proves itself but then speaks for another node is cut off.
    func testMessagesSpeakOnlyForTheAuthenticatedNode() async throws {
        let receiver = try await Node.start(
            "n2", peers: ["n1": ("127.0.0.1", 1), "n3": ("127.0.0.1", 1)],
            identity: cluster)
        let client = try RawTCPClient(port: receiver.port)
        var session = try XCTUnwrap(client.handshake(as: "n1", to: "n2", identity: cluster))
        session.send(.message(vote(from: "n1", to: "n2")))
        await eventually("delivered") { receiver.inbox.count == 1 }
        session.send(.message(vote(from: "n3", to: "n2")))
        XCTAssertTrue(client.closedByPeer(within: 5))
        XCTAssertEqual(receiver.inbox.count, 1)
        await receiver.transport.shutdown()
    }

    /// After the handshake every frame carries its MAC: a frame without one, with a damaged one, or replayed (what
    /// someone injecting into the TCP stream could send) closes the connection and is never delivered.
    func testFramesAfterTheHandshakeMustCarryTheirMAC() async throws {
        let receiver = try await Node.start("n2", peers: ["n1": ("127.0.0.1", 1)], identity: cluster)
        let unsealed = RaftFrameEncoder.lengthPrefixed(RaftFrame.message(vote(from: "n1", to: "n2")).encoded())
        for attack in ["unsealed", "damaged", "replayed"] {
            let client = try RawTCPClient(port: receiver.port)
            var session = try XCTUnwrap(client.handshake(as: "n1", to: "n2", identity: cluster))
            let before = receiver.inbox.count
            let first = session.send(.message(vote(from: "n1", to: "n2")))
            await eventually("\(attack): the sealed frame delivered") { receiver.inbox.count == before + 1 }
            switch attack {
            case "unsealed": client.write(Array(unsealed.readableBytesView))
            case "damaged":
                var bytes = Array(
                    session.encoder.framed(RaftFrame.message(vote(from: "n1", to: "n2")).encoded())
                        .readableBytesView)
                bytes[bytes.count - 1] ^= 1
                client.write(bytes)
            default: client.write(first)
            }
            XCTAssertTrue(client.closedByPeer(within: 5), "\(attack): the connection stayed open")
            XCTAssertEqual(receiver.inbox.count, before + 1, "\(attack): delivered")
        }
        await receiver.transport.shutdown()
    }

    /// Silence, garbage, an oversized hello and Raft frames before the handshake each close their connection;
    /// silence within the handshake timeout.
    func testUnfinishedOrBadHandshakesAreClosed() async throws {
        let limits = RaftConnectionLimits(handshakeTimeout: .milliseconds(500))
        let receiver = try await Node.start("n2", identity: cluster, limits: limits)

        let silent = try RawTCPClient(port: receiver.port)
        let start = ContinuousClock.now
        XCTAssertTrue(silent.closedByPeer(within: 5))
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(3))
        await eventually("timeout counted") { receiver.refusals.count(.timeout) == 1 }

        // A hello, then nothing: the timeout applies to the whole handshake.
        let stalled = try RawTCPClient(port: receiver.port)
        let handshake = RaftHandshake(me: "n1", identity: cluster)
        stalled.write(frame: .hello(handshake.hello(to: "n2")))
        XCTAssertNotNil(stalled.readFrame())
        XCTAssertTrue(stalled.closedByPeer(within: 5))
        await eventually("timeout counted") { receiver.refusals.count(.timeout) == 2 }

        let oversized: [UInt8] = [0, 0, 0x10, 0] + Array(repeating: 0, count: 100)  // announces 4 KiB
        let garbage = Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        let raftFirst = RaftFrameEncoder.lengthPrefixed(RaftFrame.message(vote(from: "n1", to: "n2")).encoded())
            .readableBytesView.map { $0 }
        for bytes in [oversized, garbage, raftFirst] {
            let client = try RawTCPClient(port: receiver.port)
            client.write(bytes)
            XCTAssertTrue(client.closedByPeer(within: 5), "connection fed \(bytes.prefix(8)) stayed open")
        }
        await eventually("malformed counted") { receiver.refusals.count(.malformed) == 3 }
        XCTAssertEqual(receiver.inbox.count, 0)
        await receiver.transport.shutdown()
    }

    /// Connections beyond the limit are closed at once; a slot frees when a connection ends.
    func testInboundConnectionsAreBounded() async throws {
        let limits = RaftConnectionLimits(maxInbound: 2, handshakeTimeout: .seconds(30))
        let receiver = try await Node.start("n2", identity: cluster, limits: limits)
        var held = [try RawTCPClient(port: receiver.port), try RawTCPClient(port: receiver.port)]
        // Wait until both are being served (the listener accepts in order, so a third is then over the limit).
        let probe = RaftHandshake(me: "n1", identity: cluster)
        for client in held {
            client.write(frame: .hello(probe.hello(to: "n2")))
            XCTAssertNotNil(client.readFrame())
        }
        let third = try RawTCPClient(port: receiver.port)
        XCTAssertTrue(third.closedByPeer(within: 5))
        await eventually("limit counted") { receiver.refusals.count(.limit) == 1 }

        held.removeFirst()  // closes it
        let deadline = ContinuousClock.now + .seconds(10)
        var accepted = false
        while !accepted, ContinuousClock.now < deadline {
            let client = try RawTCPClient(port: receiver.port)
            accepted = client.handshake(as: "n1", to: "n2", identity: cluster) != nil
            if !accepted { try await Task.sleep(for: .milliseconds(50)) }
        }
        XCTAssertTrue(accepted, "no connection accepted after one closed")
        await receiver.transport.shutdown()
    }
}
