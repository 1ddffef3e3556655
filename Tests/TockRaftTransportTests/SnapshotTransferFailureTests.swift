import TockModel
import TockRaft
import TockWire
import XCTest

@testable import TockRaftTransport

/// A snapshot transfer that breaks off, arrives damaged, or is refused by the receiving store never reaches Raft
/// and leaves nothing in the store; the links carry on afterwards.
final class SnapshotTransferFailureTests: XCTestCase {
    let snapshot = Snapshot(index: 7, term: 2, membership: Membership(voters: ["n1", "n2"]))

    func frame(_ frame: RaftFrame) -> [UInt8] {
        let payload = frame.encoded()
        return withUnsafeBytes(of: UInt32(payload.count).bigEndian) { Array($0) } + payload
    }

    func snapshotMessage() -> [UInt8] {
        frame(.message(Message(kind: .snapshot, from: "n1", to: "n2", term: 2, snapshot: snapshot)))
    }

    func testDataCutShortIsDiscardedAndNeverDelivered() async throws {
        let store = MemorySnapshotStore()
        let receiver = try await Node.start("n2", snapshots: store)
        do {
            let client = try RawTCPClient(port: receiver.port)
            XCTAssertNotNil(client.handshake(as: "n1", to: "n2"))
            client.write(
                snapshotMessage() + frame(.snapshotChunk(RaftSnapshotChunk(sequence: 0, last: false, data: [1, 2]))))
            await eventually("the receiving store opened a sink") { store.openSinks == 1 }
        }  // the sender dies mid-transfer: its socket closes here
        await eventually("the partial data was discarded") { store.discarded == 1 }
        XCTAssertEqual(store.openSinks, 0)
        XCTAssertEqual(store.committed, 0)
        XCTAssertEqual(receiver.inbox.count, 0)
        await receiver.transport.shutdown()
    }

    func testDamagedDataIsDiscardedAndTheConnectionClosed() async throws {
        let store = MemorySnapshotStore()
        let receiver = try await Node.start("n2", snapshots: store)
        var expected = SnapshotChecksum()
        expected.add([1, 2, 3])
        for last in [
            RaftSnapshotChunk(sequence: 1, last: true, data: [3], size: 3, checksum: expected.value ^ 1),  // damaged
            RaftSnapshotChunk(sequence: 1, last: true, data: [3], size: 4, checksum: expected.value),  // wrong size
            RaftSnapshotChunk(sequence: 2, last: true, data: [3], size: 3, checksum: expected.value),  // a gap
        ] {
            let client = try RawTCPClient(port: receiver.port)
            XCTAssertNotNil(client.handshake(as: "n1", to: "n2"))
            client.write(
                snapshotMessage() + frame(.snapshotChunk(RaftSnapshotChunk(sequence: 0, last: false, data: [1, 2])))
                    + frame(.snapshotChunk(last)))
            XCTAssertTrue(client.closedByPeer(within: 5))
        }
        let intruder = try RawTCPClient(port: receiver.port)
        XCTAssertNotNil(intruder.handshake(as: "n1", to: "n2"))
        intruder.write(snapshotMessage() + frame(.message(Message(kind: .heartbeat, from: "n1", to: "n2", term: 2))))
        XCTAssertTrue(intruder.closedByPeer(within: 5), "a message inside snapshot data")
        await eventually("every transfer was discarded") { store.discarded == 4 }
        XCTAssertEqual(store.committed, 0)
        XCTAssertEqual(store.openSinks, 0)
        XCTAssertEqual(receiver.inbox.count, 0)
        await receiver.transport.shutdown()
    }

    func testDataTheStoreRefusesKeepsTheMessageBack() async throws {
        let receiverStore = MemorySnapshotStore()
        receiverStore.state.withLock { $0.refuseCommit = true }
        let senderStore = MemorySnapshotStore()
        senderStore.set(7, Array(repeating: 9, count: 3 << 20))
        let receiver = try await Node.start("n2", snapshots: receiverStore)
        let sender = try await Node.start("n1", peers: ["n2": receiver.address], snapshots: senderStore)
        sender.transport.send([Message(kind: .snapshot, from: "n1", to: "n2", term: 2, snapshot: snapshot)])
        await eventually("the refused data was discarded") { receiverStore.discarded == 1 }
        // The connection was closed; the link reconnects and later messages still arrive.
        try await sendUntilDelivered(from: sender, to: receiver)
        XCTAssertFalse(receiver.inbox.all.contains { $0.kind == .snapshot })
        await sender.transport.shutdown()
        await receiver.transport.shutdown()
    }

    func testASenderWithoutTheDataDropsTheSnapshotAndCarriesOn() async throws {
        let receiverStore = MemorySnapshotStore()
        let receiver = try await Node.start("n2", snapshots: receiverStore)
        let sender = try await Node.start("n1", peers: ["n2": receiver.address], snapshots: MemorySnapshotStore())
        sender.transport.send([
            Message(kind: .snapshot, from: "n1", to: "n2", term: 2, snapshot: snapshot),
            Message(kind: .heartbeat, from: "n1", to: "n2", term: 2, index: 1),
        ])
        await eventually("the heartbeat after it arrived") { receiver.inbox.count == 1 }
        XCTAssertEqual(receiver.inbox.all.map(\.kind), [.heartbeat])
        XCTAssertEqual(receiverStore.openSinks + receiverStore.committed + receiverStore.discarded, 0)
        await sender.transport.shutdown()
        await receiver.transport.shutdown()
    }

    func testAReadFailureMidwayLeavesTheReceiverWithNothing() async throws {
        let receiverStore = MemorySnapshotStore()
        let senderStore = MemorySnapshotStore()
        senderStore.set(7, Array(repeating: 5, count: 6 << 20))
        senderStore.state.withLock { $0.failReadingAfter = 3 }
        let receiver = try await Node.start("n2", snapshots: receiverStore)
        let sender = try await Node.start("n1", peers: ["n2": receiver.address], snapshots: senderStore)
        sender.transport.send([Message(kind: .snapshot, from: "n1", to: "n2", term: 2, snapshot: snapshot)])
        await eventually("the receiver discarded the partial data") { receiverStore.discarded == 1 }
        try await sendUntilDelivered(from: sender, to: receiver)
        XCTAssertEqual(receiverStore.committed, 0)
        XCTAssertNil(receiverStore.data(7))
        XCTAssertFalse(receiver.inbox.all.contains { $0.kind == .snapshot })
        await sender.transport.shutdown()
        await receiver.transport.shutdown()
    }

    /// Heartbeats until one arrives: the link reconnects with backoff after the closed connection.
    func sendUntilDelivered(from sender: Node, to receiver: Node) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        var index: UInt64 = 100
        while ContinuousClock.now < deadline, !receiver.inbox.all.contains(where: { $0.kind == .heartbeat }) {
            sender.transport.send([Message(kind: .heartbeat, from: "n1", to: "n2", term: 2, index: index)])
            index += 1
            try await Task.sleep(for: .milliseconds(50))
        }
        XCTAssertTrue(receiver.inbox.all.contains { $0.kind == .heartbeat }, "nothing arrived after the failure")
    }
}
