import NIOCore
import NIOSSL
import TockModel
import TockRaft
import TockWire

/// The handshake of `RaftHandshake` run on a connection: frames read from its inbound stream, written to its
/// outbound writer, all within a time limit.
extension RaftHandshake {
    typealias Frames = NIOAsyncChannelInboundStream<RaftFrame>.AsyncIterator
    typealias Writer = NIOAsyncChannelOutboundWriter<ByteBuffer>

    /// The server's side. Returns the client's node once it proved itself; `gate` is open from then on.
    func accept(
        _ frames: inout Frames, _ writer: Writer, gate: HandshakeGate,
        isMember: (NodeID) -> Bool
    ) async throws -> NodeID {
        guard case .hello(let client) = try await Self.next(&frames) else {
            throw RaftPeerRefusal(.malformed, "the first frame is not a hello")
        }
        try checkClient(client, isMember: isMember)
        let server = hello(to: nil)
        try await writer.write(Self.framed(.hello(server)))
        guard case .proof(let proof) = try await Self.next(&frames) else {
            throw RaftPeerRefusal(.malformed, "the frame after the hellos is not a proof")
        }
        try verify(proof, madeAs: .client, client: client, server: server)
        gate.open(seal: seal(client: client, server: server))
        try await writer.write(Self.framed(.proof(self.proof(as: .server, client: client, server: server))))
        return client.node
    }

    /// The client's side: returns once `peer` proved itself (`gate` is open from then on), with the seal for the
    /// frames it sends next (nil without a secret).
    func connect(to peer: NodeID, _ frames: inout Frames, _ writer: Writer, gate: HandshakeGate) async throws
        -> FrameSeal?
    {
        let client = hello(to: peer)
        try await writer.write(Self.framed(.hello(client)))
        guard case .hello(let server) = try await Self.next(&frames) else {
            throw RaftPeerRefusal(.malformed, "the server's first frame is not a hello")
        }
        try checkServer(server, expected: peer)
        try await writer.write(Self.framed(.proof(proof(as: .client, client: client, server: server))))
        guard case .proof(let proof) = try await Self.next(&frames) else {
            throw RaftPeerRefusal(.malformed, "the server's frame after the hellos is not a proof")
        }
        try verify(proof, madeAs: .server, client: client, server: server)
        gate.open()
        return seal(client: client, server: server)
    }

    /// Runs `body` (a handshake on `channel`), closing the channel if `gate` is not open within `timeout`; a
    /// failure caused by that close is thrown as a `.timeout` refusal.
    static func withTimeout<T>(
        _ timeout: Duration, on channel: any Channel, gate: HandshakeGate,
        _ body: () async throws -> T
    ) async throws -> T {
        let nanoseconds = Int64(min(timeout / .nanoseconds(1), Double(Int64.max / 2)).rounded())
        let timer = channel.eventLoop.scheduleTask(in: .nanoseconds(nanoseconds)) {
            if gate.expire() { channel.close(promise: nil) }
        }
        defer { timer.cancel() }
        do {
            return try await body()
        } catch {
            if gate.hasExpired { throw RaftPeerRefusal(.timeout, "no handshake within \(timeout)") }
            throw error
        }
    }

    private static func next(_ frames: inout Frames) async throws -> RaftFrame {
        let frame: RaftFrame?
        do {
            frame = try await frames.next()
        } catch let error as RaftTransportError {
            throw RaftPeerRefusal(.malformed, "\(error)")
        } catch let error as NIOSSLError {
            throw RaftPeerRefusal(.tls, "\(error)")
        } catch let error as BoringSSLError {
            throw RaftPeerRefusal(.tls, "\(error)")
        }
        guard let frame else { throw RaftTransportError.closedDuringHandshake }
        return frame
    }

    static func framed(_ frame: RaftFrame) -> ByteBuffer {
        RaftFrameEncoder.lengthPrefixed(frame.encoded())
    }
}
