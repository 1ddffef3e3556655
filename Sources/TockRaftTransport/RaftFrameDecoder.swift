import NIOCore
import TockModel
import TockWire

/// Splits an inbound byte stream into `RaftFrame`s (4-byte big-endian payload
/// length, then the payload).
///
/// Throws — which makes the connection's reader close it — on a length over
/// `maxPayload` (checked before any of the payload is buffered) and on a
/// payload that does not decode. While `gate` is closed (the handshake is not
/// done) the limit is `RaftFrameLimits.maxHandshakePayload`; once it opens
/// with a seal, every frame must end with the seal's tag (`FrameSeal`), or
/// the decoder throws `frameNotAuthenticated`.
struct RaftFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = RaftFrame

    let maxPayload: Int
    let gate: HandshakeGate?
    private var seal: FrameSeal?
    private var sealTaken = false

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
        var payload = buffer.readBytes(length: payloadLength) ?? []
        if let gate, gate.isOpen, !sealTaken {
            seal = gate.takeSeal()
            sealTaken = true
        }
        if seal != nil {
            guard payload.count >= FrameSeal.tagBytes else { throw RaftTransportError.frameNotAuthenticated }
            let tag = Array(payload.suffix(FrameSeal.tagBytes))
            payload.removeLast(FrameSeal.tagBytes)
            guard seal?.verify(payload, tag: tag) == true else { throw RaftTransportError.frameNotAuthenticated }
        }
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
