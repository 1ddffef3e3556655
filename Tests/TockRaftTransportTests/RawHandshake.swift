import TockModel
import TockRaft
import TockWire
import XCTest

@testable import TockRaftTransport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension RawTCPClient {
    /// Writes one length-prefixed frame.
    func write(frame: RaftFrame) {
        write(RaftFrameEncoder.lengthPrefixed(frame.encoded()).readableBytesView.map { $0 })
    }

    /// The next frame, or nil if the connection closed or nothing came within `seconds`.
    func readFrame(within seconds: Int = 10) -> RaftFrame? {
        guard let prefix = read(count: 4, within: seconds) else { return nil }
        let length = prefix.reduce(0) { $0 << 8 | Int($1) }
        guard let payload = read(count: length, within: seconds) else { return nil }
        return try? RaftFrame(decoding: payload)
    }

    /// Runs the client's side of the handshake as `node` towards `peer`; returns the session to write Raft frames
    /// on (nil: the server closed the connection or answered out of turn).
    @discardableResult
    func handshake(as node: NodeID, to peer: NodeID, identity: RaftPeerIdentity = RaftPeerIdentity()) -> RawSession? {
        let handshake = RaftHandshake(me: node, identity: identity)
        let client = handshake.hello(to: peer)
        write(frame: .hello(client))
        guard case .hello(let server)? = readFrame() else { return nil }
        write(frame: .proof(handshake.proof(as: .client, client: client, server: server)))
        guard case .proof? = readFrame() else { return nil }
        return RawSession(client: self, encoder: RaftFrameEncoder(seal: handshake.seal(client: client, server: server)))
    }
}

/// A raw connection after its handshake: frames written with the connection's seal, as a transport writes them.
struct RawSession {
    let client: RawTCPClient
    var encoder: RaftFrameEncoder

    /// Writes `frame` sealed, and returns the bytes written (to replay them).
    @discardableResult
    mutating func send(_ frame: RaftFrame) -> [UInt8] {
        let bytes = Array(encoder.framed(frame.encoded()).readableBytesView)
        client.write(bytes)
        return bytes
    }
}
