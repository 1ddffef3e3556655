import Crypto

/// The MAC on every frame after the handshake, when the cluster has a secret: HMAC-SHA256 under a key derived
/// from the secret and both hellos (so it is new on every connection), over the frame's sequence number on the
/// connection and its payload. It travels after the payload, inside the frame's length. A frame injected into the
/// TCP stream, replayed, reordered or dropped from it fails the next check, which closes the connection.
///
/// Frames are authenticated, not encrypted.
struct FrameSeal: Sendable {
    static let tagBytes = 32

    private let key: [UInt8]
    private var sequence: UInt64 = 0

    init(key: [UInt8]) {
        self.key = key
    }

    /// The tag of the next frame sent.
    mutating func tag(_ payload: [UInt8]) -> [UInt8] {
        Array(nextCode(payload))
    }

    /// Checks the tag of the next frame received, in constant time.
    mutating func verify(_ payload: [UInt8], tag: [UInt8]) -> Bool {
        nextCode(payload) == tag
    }

    private mutating func nextCode(_ payload: [UInt8]) -> HMAC<SHA256>.MAC {
        defer { sequence &+= 1 }
        var authenticator = HMAC<SHA256>(key: SymmetricKey(data: key))
        authenticator.update(data: withUnsafeBytes(of: sequence.bigEndian, Array.init))
        authenticator.update(data: payload)
        return authenticator.finalize()
    }
}
