import TockModel
import TockRaft
import TockWire

/// Rebuilds messages from the frames of one inbound connection.
///
/// The sender writes the chunks of a stream back to back, so at most one
/// stream is in progress per connection; anything else (a gap, a different
/// stream id, a whole message mid-stream) is a protocol error that closes the
/// connection. One assembler per connection, used by one task.
struct ChunkAssembler {
    let maxMessageBytes: Int

    private var streamID: UInt64?
    private var nextSequence: UInt32 = 0
    private var bytes: [UInt8] = []

    init(maxMessageBytes: Int = RaftFrameLimits.maxReassembledMessage) {
        self.maxMessageBytes = maxMessageBytes
    }

    /// The message a frame completes, or nil while a chunk stream is incomplete.
    mutating func add(_ frame: RaftFrame) throws(RaftTransportError) -> Message? {
        switch frame {
        case .message(let message):
            guard streamID == nil else {
                throw .chunkOutOfOrder("whole message inside chunk stream \(streamID ?? 0)")
            }
            return message
        case .snapshotChunk:
            throw .snapshotDataBroken("snapshot data without a snapshot message before it")
        case .hello, .proof:
            throw .handshakeFrameOutOfPlace
        case .chunk(let chunk):
            if let current = streamID {
                guard chunk.streamID == current, chunk.sequence == nextSequence else {
                    throw .chunkOutOfOrder(
                        "got stream \(chunk.streamID) #\(chunk.sequence), expected \(current) #\(nextSequence)"
                    )
                }
            } else {
                guard chunk.sequence == 0 else {
                    throw .chunkOutOfOrder("stream \(chunk.streamID) starts at #\(chunk.sequence)")
                }
                streamID = chunk.streamID
            }
            guard bytes.count + chunk.data.count <= maxMessageBytes else {
                throw .messageTooLarge(bytes.count + chunk.data.count)
            }
            bytes.append(contentsOf: chunk.data)
            nextSequence &+= 1
            guard chunk.last else { return nil }
            let complete = bytes
            streamID = nil
            nextSequence = 0
            bytes = []
            do {
                return try Message(decoding: complete)
            } catch {
                throw .undecodable(error)
            }
        }
    }
}
