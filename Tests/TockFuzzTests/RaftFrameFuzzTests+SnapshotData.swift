import TockModel
import TockRaft
import TockWire
import XCTest

@testable import TockRaftTransport

/// A snapshot's data in pieces (`SnapshotReception`): committed whole and intact, or discarded.
extension RaftFrameFuzzTests {
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
