import NIOCore
import TockModel
import TockRaft
import TockWire

/// Turns messages into length-prefixed frames, splitting any message whose
/// frame would exceed `RaftFrameLimits.maxSentFramePayload` into chunk frames.
///
/// One encoder per link: stream ids only need to be unique per
/// connection, and the chunks of one stream must be written back to back,
/// which holds because one task writes each connection. With a `seal` (set
/// for each connection after its handshake) every frame carries its tag.
struct RaftFrameEncoder {
    private var nextStreamID: UInt64 = 1
    var seal: FrameSeal?

    init(seal: FrameSeal? = nil) {
        self.seal = seal
    }

    /// The frames of `message`, length prefix (and tag) included, ready to write.
    mutating func frames(for message: Message) -> [ByteBuffer] {
        payloads(for: message).map { framed($0) }
    }

    /// `payload` length-prefixed, with the seal's tag when there is one.
    mutating func framed(_ payload: [UInt8]) -> ByteBuffer {
        guard seal != nil, let tag = seal?.tag(payload) else { return Self.lengthPrefixed(payload) }
        return Self.lengthPrefixed(payload + tag)
    }

    /// The payloads of the frames of `message` (without length prefixes).
    mutating func payloads(for message: Message) -> [[UInt8]] {
        let whole = RaftFrame.message(message).encoded()
        if whole.count <= RaftFrameLimits.maxSentFramePayload {
            return [whole]
        }
        let bytes = message.encoded()
        let streamID = nextStreamID
        nextStreamID &+= 1
        var frames: [[UInt8]] = []
        frames.reserveCapacity(bytes.count / RaftFrameLimits.chunkDataSize + 1)
        var start = 0
        var sequence: UInt32 = 0
        while start < bytes.count {
            let end = min(start + RaftFrameLimits.chunkDataSize, bytes.count)
            let chunk = RaftChunk(
                streamID: streamID, sequence: sequence, last: end == bytes.count, data: Array(bytes[start..<end])
            )
            let payload = RaftFrame.chunk(chunk).encoded()
            assert(payload.count <= RaftFrameLimits.maxSentFramePayload, "chunk frame of \(payload.count) bytes")
            frames.append(payload)
            start = end
            sequence += 1
        }
        return frames
    }

    static func lengthPrefixed(_ payload: [UInt8]) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: 4 + payload.count)
        buffer.writeInteger(UInt32(payload.count), endianness: .big)
        buffer.writeBytes(payload)
        return buffer
    }
}
