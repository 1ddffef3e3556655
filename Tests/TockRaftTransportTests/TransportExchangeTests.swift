import TockRaft
import TockRaftTransport
import XCTest

final class TransportExchangeTests: XCTestCase {
    /// Three nodes on port 0; each sends 5,000 messages to each of the others
    /// (30,000 in all, 10,000 delivered per node); every receiver sees each
    /// sender's messages complete and in order.
    func testThreeNodesExchangeMessagesInPerSenderOrder() async throws {
        let perPair = 5_000
        let ids = ["n1", "n2", "n3"]
        var nodes: [Node] = []
        for id in ids {
            nodes.append(try await Node.start(id, queueLimit: perPair * 2))
        }
        for node in nodes {
            var peers: [NodeID: (host: String, port: Int)] = [:]
            for other in nodes where other.id != node.id { peers[other.id] = other.address }
            node.transport.updatePeers(peers)
        }

        // Batches of various kinds, interleaved across destinations.
        let kinds: [Message.Kind] = [.append, .heartbeat, .vote, .appendResponse]
        for batchStart in stride(from: 0, to: perPair, by: 500) {
            for node in nodes {
                var batch: [Message] = []
                for index in batchStart..<(batchStart + 500) {
                    for other in ids where other != node.id {
                        batch.append(
                            Message(
                                kind: kinds[index % kinds.count], from: node.id, to: other, term: 1,
                                index: UInt64(index),
                                entries: index % 100 == 0
                                    ? [Entry(term: 1, index: UInt64(index), data: [1, 2, 3])] : []
                            )
                        )
                    }
                }
                node.transport.send(batch)
            }
        }

        for node in nodes {
            await eventually(timeout: .seconds(60), "\(node.id) got every message") {
                node.inbox.count == perPair * 2
            }
        }
        for node in nodes {
            XCTAssertEqual(node.transport.droppedMessages, 0)
            for sender in ids where sender != node.id {
                XCTAssertEqual(node.inbox.indices(from: sender), (0..<perPair).map(UInt64.init), "\(sender)→\(node.id)")
            }
            XCTAssertTrue(node.inbox.all.allSatisfy { $0.to == node.id })
        }
        for node in nodes { await node.transport.shutdown() }
    }

    /// An 8 MiB snapshot's data streams from the sender's store into the receiver's, and the message is delivered
    /// once it is there; small messages and a big append sent around it keep their order.
    func testEightMiBSnapshotArrivesIntact() async throws {
        try await exchangeBigMessages(identity: RaftPeerIdentity())
    }

    /// The same with a cluster secret: every frame, chunks and snapshot pieces included, carries its MAC.
    func testEightMiBSnapshotArrivesIntactWithASecret() async throws {
        let secret = try RaftClusterSecret(Array("sealed frames, all 8 MiB of them".utf8))
        try await exchangeBigMessages(identity: RaftPeerIdentity(clusterID: "prod", shard: 1, secret: secret))
    }

    private func exchangeBigMessages(identity: RaftPeerIdentity) async throws {
        let receiverStore = MemorySnapshotStore()
        let senderStore = MemorySnapshotStore()
        let receiver = try await Node.start("n2", snapshots: receiverStore, identity: identity)
        let sender = try await Node.start(
            "n1", peers: ["n2": receiver.address], snapshots: senderStore,
            identity: identity)
        let data = (0..<(8 << 20)).map { UInt8(truncatingIfNeeded: ($0 &* 31) ^ ($0 >> 11)) }
        senderStore.set(10_000, data)
        let snapshot = Snapshot(
            index: 10_000, term: 3, membership: Membership(voters: ["n1", "n2", "n3"], learners: ["n4"]))
        let big = Message(kind: .snapshot, from: "n1", to: "n2", term: 3, index: 1, snapshot: snapshot)
        let bigAppend = Message(
            kind: .append, from: "n1", to: "n2", term: 3, index: 3,
            entries: (0..<3).map { Entry(term: 3, index: UInt64(4 + $0), data: Array(data.prefix(700_000))) }
        )
        sender.transport.send([
            Message(kind: .heartbeat, from: "n1", to: "n2", term: 3, index: 0), big,
            Message(kind: .heartbeat, from: "n1", to: "n2", term: 3, index: 2), bigAppend,
        ])
        await eventually("the big messages arrived") { receiver.inbox.count == 4 }
        let received = receiver.inbox.all
        XCTAssertEqual(received.map(\.index), [0, 1, 2, 3])
        XCTAssertTrue(received.count == 4 && received[1] == big, "snapshot message changed in transit")
        XCTAssertTrue(received.count == 4 && received[3] == bigAppend, "append changed in transit")
        XCTAssertTrue(receiverStore.data(10_000) == data, "snapshot data changed in transit")
        await sender.transport.shutdown()
        await receiver.transport.shutdown()
    }
}
