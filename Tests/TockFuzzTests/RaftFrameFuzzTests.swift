import NIOCore
import NIOEmbedded
import NIOTestUtils
import TockModel
import TockRaft
import TockWire
import XCTest

@testable import TockRaftTransport

/// What a peer's connection reads: length-prefixed frames (`RaftFrameDecoder`), messages in chunks
/// (`ChunkAssembler`) and snapshot data (`SnapshotReception`). Whatever arrives, split wherever, the reader either
/// delivers exactly the messages sent or stops with an error (which closes the connection), and never holds more
/// than one frame's announced payload (at most `maxPayload`) or one message's chunks (at most `maxMessageBytes`).
final class RaftFrameFuzzTests: XCTestCase {
    /// A small limit, so that "too large" is cheap to reach; the decoder is the same for any limit.
    static let maxPayload = 2048

    /// A byte stream of frames, some broken, and the points where it arrives split into reads.
    struct Stream: CustomStringConvertible {
        var bytes: [UInt8]
        var cuts: [Int]

        var description: String {
            "cut at \(cuts) of \(bytes.count) bytes: \(WireFuzzTests.hex(Array(bytes.prefix(600))))"
        }
    }

    static func stream(_ random: inout SplitMix64) -> Stream {
        var bytes: [UInt8] = []
        for _ in 0..<random.within(1...6) {
            let payload: [UInt8] =
                switch random.below(10) {
                case 0..<5: WireGenerators.frame(&random).encoded()
                case 5: random.bytes(random.below(40))
                case 6:
                    FuzzMutator(tokens: WireFuzzTests.tokens).mutate(
                        WireGenerators.frame(&random).encoded(),
                        using: &random)
                case 7: []
                default: random.bytes(Self.maxPayload + random.within(1...16))
                }
            // The length prefix: mostly right, else at the edges (0, just over the limit, UInt32.max, which a
            // sender that used a signed length would write for -1).
            let length: UInt32 =
                random.oneIn(5)
                ? random.pick([
                    0, UInt32(Self.maxPayload), UInt32(Self.maxPayload + 1), .max, .max - 3, 1 << 31,
                    UInt32(truncatingIfNeeded: payload.count + 1), random.edgyUInt32(),
                ])
                : UInt32(payload.count)
            bytes += withUnsafeBytes(of: length.bigEndian, Array.init) + payload
        }
        if random.oneIn(4) { bytes.removeLast(random.below(min(bytes.count, 8) + 1)) }  // ends mid-frame
        let cuts = (0..<random.below(6)).map { _ in random.below(bytes.count + 1) }.sorted()
        return Stream(bytes: bytes, cuts: cuts)
    }

    /// The frame decoder, restated plainly: what a stream must yield, and the end of the byte at which the
    /// reader must fail, if it must.
    static func expected(_ bytes: [UInt8], limit: Int = maxPayload) -> (frames: [RaftFrame], failsBy: Int?) {
        var frames: [RaftFrame] = []
        var offset = 0
        while bytes.count - offset >= 4 {
            let length = bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            guard length <= limit else { return (frames, offset + 4) }
            guard bytes.count - offset - 4 >= length else { break }
            guard let frame = try? RaftFrame(decoding: Array(bytes[(offset + 4)..<(offset + 4 + length)])) else {
                return (frames, offset + 4 + length)
            }
            frames.append(frame)
            offset += 4 + length
        }
        return (frames, nil)
    }

    func testSplitStreamsYieldTheirFramesOrCloseOnTheFirstBadOne() {
        fuzz("streams", examples: 3000) { random in
            Self.stream(&random)
        } property: { stream in
            try Self.decodesAsExpected(stream, RaftFrameDecoder(maxPayload: Self.maxPayload), limit: Self.maxPayload)
        }
    }

    /// Until its handshake is done, a connection's decoder holds every frame to the handshake's limit, whatever
    /// its configured one.
    func testAClosedGateHoldsFramesToTheHandshakeLimit() {
        fuzz("gated streams", examples: 1500) { random in
            Self.stream(&random)
        } property: { stream in
            let decoder = RaftFrameDecoder(maxPayload: Self.maxPayload, gate: HandshakeGate())
            try Self.decodesAsExpected(stream, decoder, limit: RaftFrameLimits.maxHandshakePayload)
        }
    }

    /// Feeds `stream` to `decoder` split at its cuts, and compares what it yields with `expected`.
    static func decodesAsExpected(_ stream: Stream, _ decoder: RaftFrameDecoder, limit: Int) throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(decoder))
        let (expectedFrames, failsBy) = Self.expected(stream.bytes, limit: limit)
        var frames: [RaftFrame] = []
        var failedAt: Int?
        for (start, end) in zip([0] + stream.cuts, stream.cuts + [stream.bytes.count]) where failedAt == nil {
            do {
                try channel.writeInbound(channel.allocator.buffer(bytes: stream.bytes[start..<end]))
            } catch let error as RaftTransportError {
                switch error {
                case .frameTooLarge, .undecodable: failedAt = end
                default: throw Fuzz.Failure("failed with \(error)")
                }
            }
            while let frame = try channel.readInbound(as: RaftFrame.self) { frames.append(frame) }
        }
        guard frames == expectedFrames else {
            throw Fuzz.Failure("read \(frames.count) frames, expected \(expectedFrames.count)")
        }
        defer { _ = try? channel.finish() }
        switch (failsBy, failedAt) {
        case (nil, nil):
            // A partial frame at the end is dropped quietly: the sender died mid-write.
            _ = try channel.finish()
        case (let by?, let at?):
            // The read that completes the bad length or payload fails, before anything after it is buffered.
            let readEnd = (stream.cuts + [stream.bytes.count]).first { $0 >= by }
            guard at == readEnd else { throw Fuzz.Failure("failed after byte \(at), expected by \(by)") }
        case (let by?, nil):
            throw Fuzz.Failure("did not fail; the frame ending at byte \(by) is bad")
        case (nil, let at?):
            throw Fuzz.Failure("failed after byte \(at) on a good stream")
        }
    }

    /// NIO's own check of a decoder: the same frames whether bytes come one at a time, all at once or frame by
    /// frame.
    func testFramesDecodeAlikeHoweverTheBytesArrive() {
        fuzz("verifier", examples: 40) { random in
            (0..<random.within(1...3)).map { _ in WireGenerators.frame(&random) }
        } property: { frames in
            let pairs = frames.map { frame in (RaftFrameEncoder.lengthPrefixed(frame.encoded()), [frame]) }
            try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) { RaftFrameDecoder() }
        }
    }
}
