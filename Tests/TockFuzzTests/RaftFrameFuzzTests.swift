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

    /// A connection's frames: whole messages and chunk streams, then damaged: frames dropped, repeated or swapped,
    /// chunks of another stream, sequence numbers and `last` flags changed, data cut or grown past the limit.
    struct Script: CustomStringConvertible {
        var frames: [RaftFrame]
        var messages: [Message]
        var damaged: Bool

        var description: String {
            "\(damaged ? "damaged" : "intact") script of \(frames.count) frames: "
                + frames.map { frame in
                    switch frame {
                    case .message(let message): "message(\(message.kind), \(message.entries.count) entries)"
                    case .chunk(let chunk):
                        "chunk(stream \(chunk.streamID) #\(chunk.sequence)\(chunk.last ? " last" : ""),"
                            + " \(chunk.data.count) bytes)"
                    case .snapshotChunk(let chunk): "snapshotChunk(#\(chunk.sequence))"
                    case .hello(let hello): "hello(\(hello.node))"
                    case .proof: "proof"
                    }
                }.joined(separator: ", ")
        }
    }

    static let maxMessageBytes = 4096

    static func script(_ random: inout SplitMix64) -> Script {
        var frames: [RaftFrame] = []
        var messages: [Message] = []
        var streamID: UInt64 = random.edgy()
        for _ in 0..<random.within(1...5) {
            let message = WireGenerators.message(&random)
            messages.append(message)
            let bytes = message.encoded()
            guard random.oneIn(2), !bytes.isEmpty else {
                frames.append(.message(message))
                continue
            }
            streamID &+= 1
            var cuts = Set((0..<random.below(4)).map { _ in random.within(1...bytes.count) })
            cuts.insert(bytes.count)
            var start = 0
            for (sequence, end) in cuts.sorted().enumerated() {
                frames.append(
                    .chunk(
                        RaftChunk(
                            streamID: streamID, sequence: UInt32(sequence), last: end == bytes.count,
                            data: Array(bytes[start..<end]))))
                start = end
            }
        }
        let damaged = random.oneIn(2)
        if damaged {
            for _ in 0..<random.within(1...3) { damage(&frames, using: &random) }
        }
        return Script(frames: frames, messages: messages, damaged: damaged)
    }

    private static func damage(_ frames: inout [RaftFrame], using random: inout SplitMix64) {
        guard !frames.isEmpty else { return }
        let at = random.below(frames.count)
        switch random.below(8) {
        case 0: frames.remove(at: at)
        case 1: frames.insert(frames[at], at: at)
        case 2: frames.swapAt(at, random.below(frames.count))
        case 3:
            frames.insert(
                random.oneIn(2)
                    ? .snapshotChunk(RaftSnapshotChunk(sequence: 0, last: true, data: [1]))
                    : .hello(WireGenerators.hello(&random)), at: at)
        default:
            guard case .chunk(var chunk) = frames[at] else {
                frames.insert(
                    .chunk(
                        RaftChunk(
                            streamID: random.edgy(), sequence: random.edgyUInt32(),
                            last: random.oneIn(2), data: random.bytes(random.below(30)))), at: at)
                return
            }
            switch random.below(5) {
            case 0: chunk.streamID = random.oneIn(2) ? chunk.streamID &+ 1 : random.edgy()
            case 1: chunk.sequence = random.pick([chunk.sequence &+ 1, chunk.sequence &- 1, .max, random.edgyUInt32()])
            case 2: chunk.last.toggle()
            case 3: chunk.data = Array(chunk.data.prefix(random.below(chunk.data.count + 1)))
            default: chunk.data += random.bytes(maxMessageBytes)
            }
            frames[at] = .chunk(chunk)
        }
    }

    /// The chunk protocol, restated: what an assembler must deliver before the frame at which it must fail.
    static func expected(_ frames: [RaftFrame]) -> (messages: [Message], failsAt: Int?) {
        var messages: [Message] = []
        var stream: (id: UInt64, next: UInt32, bytes: [UInt8])?
        for (position, frame) in frames.enumerated() {
            switch frame {
            case .message(let message):
                guard stream == nil else { return (messages, position) }
                messages.append(message)
            case .snapshotChunk, .hello, .proof:
                return (messages, position)
            case .chunk(let chunk):
                let continues =
                    stream.map { chunk.streamID == $0.id && chunk.sequence == $0.next }
                    ?? (chunk.sequence == 0)
                let bytes = (stream?.bytes ?? []) + chunk.data
                guard continues, bytes.count <= maxMessageBytes else { return (messages, position) }
                stream = (chunk.streamID, chunk.sequence &+ 1, bytes)
                guard chunk.last else { continue }
                guard let message = try? Message(decoding: bytes) else { return (messages, position) }
                messages.append(message)
                stream = nil
            }
        }
        return (messages, nil)
    }

    func testChunkStreamsReassembleOrFailAtTheFirstBreak() {
        fuzz("chunks", examples: 3000) { random in
            Self.script(&random)
        } property: { script in
            var assembler = ChunkAssembler(maxMessageBytes: Self.maxMessageBytes)
            var delivered: [Message] = []
            var failedAt: Int?
            for (position, frame) in script.frames.enumerated() {
                do {
                    if let message = try assembler.add(frame) { delivered.append(message) }
                } catch {
                    failedAt = position
                    break
                }
            }
            let (messages, failsAt) = Self.expected(script.frames)
            guard delivered == messages, failedAt == failsAt else {
                throw Fuzz.Failure(
                    "delivered \(delivered.count) messages and failed at frame "
                        + "\(String(describing: failedAt)); expected \(messages.count) and \(String(describing: failsAt))"
                )
            }
            if !script.damaged, delivered != script.messages {
                throw Fuzz.Failure("an intact script delivered \(delivered.count) of \(script.messages.count) messages")
            }
        }
    }

    /// The data of a snapshot, in pieces, intact or damaged.
    struct SnapshotData: CustomStringConvertible {
        var data: [UInt8]
        var frames: [RaftFrame]

        var description: String {
            "\(data.count) bytes in "
                + frames.map { frame in
                    guard case .snapshotChunk(let chunk) = frame else { return "\(frame)" }
                    return
                        "#\(chunk.sequence)\(chunk.last ? " last(size \(chunk.size))" : "") \(chunk.data.count) bytes"
                }.joined(separator: ", ")
        }
    }

    static func snapshotData(_ random: inout SplitMix64) -> SnapshotData {
        let data = random.bytes(random.below(3000))
        var pieces: [[UInt8]] = []
        var start = 0
        while start < data.count || pieces.isEmpty {
            let end = min(data.count, start + random.within(1...800))
            pieces.append(Array(data[start..<end]))
            start = end
        }
        var checksum = SnapshotChecksum()
        checksum.add(data)
        var frames: [RaftFrame] = pieces.enumerated().map { sequence, piece in
            let last = sequence == pieces.count - 1
            return .snapshotChunk(
                RaftSnapshotChunk(
                    sequence: UInt32(sequence), last: last, data: piece, size: last ? checksum.size : 0,
                    checksum: last ? checksum.value : 0))
        }
        if random.oneIn(2) { damageSnapshot(&frames, using: &random) }
        return SnapshotData(data: data, frames: frames)
    }

    /// Pieces dropped, repeated, swapped or between other frames; a wrong size or checksum, a `last` moved, a byte
    /// changed. Some damage changes nothing (a size on a piece that is not the last), which is fine: the property
    /// is that only intact data is ever committed.
    private static func damageSnapshot(_ frames: inout [RaftFrame], using random: inout SplitMix64) {
        let at = random.below(frames.count)
        switch random.below(8) {
        case 0: frames.remove(at: at)
        case 1: frames.insert(frames[at], at: at)
        case 2: frames.swapAt(at, random.below(frames.count))
        case 3: frames.insert(.message(Message(kind: .heartbeat, from: "n2", to: "n1", term: 1)), at: at)
        default:
            guard case .snapshotChunk(var chunk) = frames[at] else { return }
            switch random.below(4) {
            case 0: chunk.size = random.pick([chunk.size &+ 1, chunk.size &- 1, .max, random.edgy()])
            case 1: chunk.checksum ^= 1 << UInt64(random.below(64))
            case 2: chunk.last.toggle()
            default: chunk.data = chunk.data.isEmpty ? [0] : chunk.data.map { $0 &+ 1 }
            }
            frames[at] = .snapshotChunk(chunk)
        }
    }

    func testSnapshotDataIsCommittedWholeAndIntactOrDiscarded() async {
        await fuzz("snapshot data", examples: 1500) { random in
            Self.snapshotData(&random)
        } property: { (input: SnapshotData) async throws in
            let store = RecordingSnapshotStore()
            let membership = Membership(voters: ["n1", "n2"])
            let message = Message(
                kind: .snapshot, from: "n2", to: "n1", term: 1,
                snapshot: Snapshot(index: 7, term: 1, membership: membership))
            let reception = try await SnapshotReception(message, store: store)
            var released: Message?
            var failed = false
            for frame in input.frames {
                do {
                    if let done = try await reception.add(frame) {
                        released = done
                        break
                    }
                } catch {
                    failed = true
                    break
                }
            }
            if released == nil, !failed { await reception.abandon() }
            let (written, committed, discarded) = await (
                store.sink.written, store.sink.committed,
                store.sink.discarded
            )
            if released != nil {
                guard released == message, committed, !discarded, written == input.data else {
                    throw Fuzz.Failure(
                        "released with \(written.count) bytes written, committed \(committed), "
                            + "discarded \(discarded)")
                }
            } else {
                guard !committed, discarded else {
                    throw Fuzz.Failure("not released, yet committed \(committed), discarded \(discarded)")
                }
            }
        }
    }
}

/// A store with one sink that records what happens to it.
final class RecordingSnapshotStore: SnapshotStore {
    let sink = RecordingSink()

    func openForSending(_ snapshot: Snapshot) async throws -> any SnapshotSource { throw Unsupported() }

    func beginReceiving(_ snapshot: Snapshot, from peer: NodeID) async throws -> any SnapshotSink { sink }

    struct Unsupported: Error {}
}

actor RecordingSink: SnapshotSink {
    private(set) var written: [UInt8] = []
    private(set) var committed = false
    private(set) var discarded = false

    func write(_ bytes: [UInt8]) async throws { written += bytes }
    func commit() async throws { committed = true }
    func discard() async { discarded = true }
}
