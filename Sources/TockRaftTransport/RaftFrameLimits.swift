/// Sizes that bound the transport's frames and messages.
///
/// A frame on the wire is a 4-byte big-endian payload length followed by that
/// many bytes of a `tock.v1.RaftFrame`.
public enum RaftFrameLimits {
    /// The largest frame payload this transport sends. A message whose frame
    /// would be larger travels as a stream of chunk frames of at most this size.
    public static let maxSentFramePayload = 1 << 20

    /// Chunk data per frame: leaves room for the chunk's own fields (stream id,
    /// sequence, last, length prefixes) inside `maxSentFramePayload`.
    static let chunkDataSize = maxSentFramePayload - 64

    /// An inbound frame announcing a larger payload closes its connection
    /// before the payload is buffered.
    public static let maxReceivedFramePayload = 8 << 20

    /// The largest message reassembled from chunks; a stream growing past it
    /// closes its connection. Bounds the memory one peer can make a node hold.
    public static let maxReassembledMessage = 512 << 20

    /// Until a connection's handshake is done, a frame may announce at most this many bytes (a hello: names and a
    /// nonce), so a stranger can make a node buffer no more than this per connection.
    public static let maxHandshakePayload = 1024
}
