import NIOCore
import TockWire

/// Splits an inbound byte stream into `RaftFrame`s (4-byte big-endian payload
/// length, then the payload).
///
/// Throws — which makes the connection's reader close it — on a length over
/// `maxPayload` (checked before any of the payload is buffered) and on a
/// payload that does not decode. While `gate` is closed (the handshake is not
/// done) the limit is `RaftFrameLimits.maxHandshakePayload`.
struct RaftFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = RaftFrame

    let maxPayload: Int
    let gate: HandshakeGate?

    init(maxPayload: Int = RaftFrameLimits.maxReceivedFramePayload, gate: HandshakeGate? = nil) {
        self.maxPayload = maxPayload
        self.gate = gate
    }

    private var currentLimit: Int {
        if let gate, !gate.isOpen { return min(maxPayload, RaftFrameLimits.maxHandshakePayload) }
        return maxPayload
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, endianness: .big, as: UInt32.self) else {
            return .needMoreData
        }
        let payloadLength = Int(length)
        guard payloadLength <= currentLimit else {
            throw RaftTransportError.frameTooLarge(payloadLength)
        }
        guard buffer.readableBytes >= 4 + payloadLength else {
            return .needMoreData
        }
        buffer.moveReaderIndex(forwardBy: 4)
        let payload = buffer.readBytes(length: payloadLength) ?? []
        let frame: RaftFrame
        do {
            frame = try RaftFrame(decoding: payload)
        } catch {
            throw RaftTransportError.undecodable(error)
        }
        context.fireChannelRead(wrapInboundOut(frame))
        return .continue
    }

    mutating func decodeLast(
        context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool
    ) throws -> DecodingState {
        // A partial frame at EOF is dropped: the sender died mid-write.
        try decode(context: context, buffer: &buffer)
    }
}
