import TockModel
import TockRaft
import TockRaftTransport
import TockWire
import XCTest

final class TransportFailureTests: XCTestCase {
    /// Messages for a peer that is not listening are bounded by the queue and
    /// counted as dropped; once the peer listens on its port, new messages arrive.
    func testDownPeerDropsThenReconnects() async throws {
        // Learn a free port, then free it again: nobody listens there now.
        let placeholder = try await Node.start("n2")
        let port = placeholder.port
        await placeholder.transport.shutdown()

        let queueLimit = 16
        let sender = try await Node.start("n1", peers: ["n2": ("127.0.0.1", port)], queueLimit: queueLimit)
        sender.transport.send(
            (0..<100).map { Message(kind: .heartbeat, from: "n1", to: "n2", term: 1, index: UInt64($0)) })
        // At most one message is held outside the queue (the one waiting for a connection).
        XCTAssertGreaterThanOrEqual(sender.transport.droppedMessages, 100 - queueLimit - 1)
        XCTAssertLessThanOrEqual(sender.transport.droppedMessages, 100)

        // Give the link time to fail at least one connection attempt and back off.
        try await Task.sleep(for: .milliseconds(300))

        let peer = try await Node.start("n2", port: port)
        XCTAssertEqual(peer.port, port)
        let marker: UInt64 = 1_000_000
        let deadline = ContinuousClock.now + .seconds(20)
        var next = marker
        while ContinuousClock.now < deadline, !peer.inbox.all.contains(where: { $0.index >= marker }) {
            sender.transport.send([Message(kind: .heartbeat, from: "n1", to: "n2", term: 2, index: next)])
            next += 1
            try await Task.sleep(for: .milliseconds(50))
        }
        XCTAssertTrue(peer.inbox.all.contains { $0.index >= marker }, "no message arrived after the peer came up")
        // What arrives over the one connection is in send order.
        let indices = peer.inbox.indices(from: "n1")
        XCTAssertEqual(indices, indices.sorted())

        await sender.transport.shutdown()
        await peer.transport.shutdown()
    }

    /// A connected peer that restarts on the same port: the link notices the
    /// closed connection and reconnects; messages sent after the restart arrive.
    func testPeerRestartReconnects() async throws {
        let first = try await Node.start("n2")
        let sender = try await Node.start("n1", peers: ["n2": first.address])
        sender.transport.send([Message(kind: .heartbeat, from: "n1", to: "n2", term: 1, index: 1)])
        await eventually("delivered before the restart") { first.inbox.count == 1 }
        await first.transport.shutdown()

        let restarted = try await Node.start("n2", port: first.port)
        let deadline = ContinuousClock.now + .seconds(20)
        var next: UInt64 = 100
        while ContinuousClock.now < deadline, restarted.inbox.count == 0 {
            sender.transport.send([Message(kind: .heartbeat, from: "n1", to: "n2", term: 2, index: next)])
            next += 1
            try await Task.sleep(for: .milliseconds(50))
        }
        XCTAssertGreaterThan(restarted.inbox.count, 0, "nothing arrived after the peer restarted")
        await sender.transport.shutdown()
        await restarted.transport.shutdown()
    }

    /// Garbage, an oversized length and an undecodable frame each close their
    /// own connection; the listener keeps serving a real peer.
    func testGarbageClosesOnlyThatConnection() async throws {
        let receiver = try await Node.start("n2")
        let sender = try await Node.start("n1", peers: ["n2": receiver.address])
        sender.transport.send([Message(kind: .heartbeat, from: "n1", to: "n2", term: 1, index: 1)])
        await eventually("first message") { receiver.inbox.count == 1 }

        let undecodable: [UInt8] = [0, 0, 0, 4, 0xFF, 0xFF, 0xFF, 0xFF]
        let noBody: [UInt8] = [0, 0, 0, 0]  // an empty RaftFrame: no message, no chunk
        let oversized: [UInt8] = [0x7F, 0xFF, 0xFF, 0xFF, 1, 2, 3]
        let text = Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        // A chunk stream that starts at sequence 5.
        var outOfOrder = RaftFrame.chunk(RaftChunk(streamID: 1, sequence: 5, last: false, data: [1])).encoded()
        outOfOrder = [0, 0, 0, UInt8(outOfOrder.count)] + outOfOrder
        for bytes in [undecodable, noBody, oversized, text, outOfOrder] {
            let client = try RawTCPClient(port: receiver.port)
            client.write(bytes)
            XCTAssertTrue(client.closedByPeer(within: 10), "connection fed \(bytes.prefix(8)) stayed open")
        }

        // The real peer's connection and the listener are unaffected.
        sender.transport.send([Message(kind: .heartbeat, from: "n1", to: "n2", term: 1, index: 2)])
        await eventually("message after garbage") { receiver.inbox.count == 2 }
        // And a new connection is still accepted.
        let third = try await Node.start("n3", peers: ["n2": receiver.address])
        third.transport.send([Message(kind: .vote, from: "n3", to: "n2", term: 2, index: 9)])
        await eventually("message from a new connection") { receiver.inbox.indices(from: "n3") == [9] }

        for node in [sender, third, receiver] { await node.transport.shutdown() }
    }

    func testUnknownPeerIsDroppedAndCounted() async throws {
        let node = try await Node.start("n1")
        node.transport.send([
            Message(kind: .heartbeat, from: "n1", to: "nobody", term: 1),
            Message(kind: .heartbeat, from: "n1", to: "n1", term: 1),
        ])
        XCTAssertEqual(node.transport.droppedMessages, 2)
        await node.transport.shutdown()
    }

    /// Shutdown twice, concurrently, and after use; sending afterwards only counts drops.
    func testShutdownIsIdempotent() async throws {
        let receiver = try await Node.start("n2")
        let sender = try await Node.start("n1", peers: ["n2": receiver.address])
        sender.transport.send([Message(kind: .heartbeat, from: "n1", to: "n2", term: 1)])
        await eventually("delivered") { receiver.inbox.count == 1 }

        async let first: Void = sender.transport.shutdown()
        async let second: Void = sender.transport.shutdown()
        _ = await (first, second)
        await sender.transport.shutdown()

        let before = sender.transport.droppedMessages
        sender.transport.send([Message(kind: .heartbeat, from: "n1", to: "n2", term: 1)])
        XCTAssertEqual(sender.transport.droppedMessages, before + 1)
        do {
            _ = try await sender.transport.start()
            XCTFail("start after shutdown succeeded")
        } catch {
            XCTAssertEqual(error as? RaftTransportError, .shutDown)
        }

        await receiver.transport.shutdown()
        await receiver.transport.shutdown()
        // The port is free again once shutdown returns.
        let again = try await Node.start("n2", port: receiver.port)
        await again.transport.shutdown()

        // A transport never started shuts down too.
        let idle = RaftPeerTransport(
            id: "n9", listenHost: "127.0.0.1", listenPort: 0, peers: ["n1": ("127.0.0.1", 1)],
            logger: testLogger("n9"), onMessage: { _ in }
        )
        await idle.shutdown()
        await idle.shutdown()
    }

    func testStartTwiceThrows() async throws {
        let node = try await Node.start("n1")
        do {
            _ = try await node.transport.start()
            XCTFail("second start succeeded")
        } catch {
            XCTAssertEqual(error as? RaftTransportError, .alreadyStarted)
        }
        await node.transport.shutdown()
    }
}
