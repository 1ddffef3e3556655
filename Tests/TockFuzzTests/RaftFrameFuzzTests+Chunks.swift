import TockModel
import TockRaft
import TockWire
import XCTest

@testable import TockRaftTransport

/// A connection's messages in chunks (`ChunkAssembler`): intact streams reassemble, damaged ones fail at the
/// first break, having delivered exactly the messages before it.
extension RaftFrameFuzzTests {
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
}
