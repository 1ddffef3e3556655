import TockModel
import TockRaft
import TockWire

/// The data of one snapshot message arriving on an inbound connection: its pieces go to a `SnapshotSink` as they
/// come, and the message is released to Raft only once the data is complete, intact and committed — so a node
/// never hears of a snapshot it cannot install. A transfer that breaks off leaves nothing behind.
///
/// Without a store (a transport that carries no snapshot data) the pieces are checked and dropped.
final class SnapshotReception {
    let message: Message
    private let sink: (any SnapshotSink)?
    private var nextSequence: UInt32 = 0
    private var checksum = SnapshotChecksum()

    init(_ message: Message, store: (any SnapshotStore)?) async throws {
        self.message = message
        if let store, let snapshot = message.snapshot {
            sink = try await store.beginReceiving(snapshot, from: message.from)
        } else {
            sink = nil
        }
    }

    /// The snapshot message once `frame` completes its data; nil while more is to come. Throws, having discarded
    /// what was received, on anything but the next piece or on data that does not match its size and checksum.
    func add(_ frame: RaftFrame) async throws -> Message? {
        do {
            guard case .snapshotChunk(let chunk) = frame else {
                throw RaftTransportError.snapshotDataBroken("another frame inside a snapshot's data")
            }
            guard chunk.sequence == nextSequence else {
                throw RaftTransportError.snapshotDataBroken("piece #\(chunk.sequence), expected #\(nextSequence)")
            }
            nextSequence &+= 1
            checksum.add(chunk.data)
            if !chunk.data.isEmpty { try await sink?.write(chunk.data) }
            guard chunk.last else { return nil }
            guard chunk.size == checksum.size, chunk.checksum == checksum.value else {
                throw RaftTransportError.snapshotDataBroken(
                    "\(checksum.size) bytes with checksum \(checksum.value), sent \(chunk.size) with \(chunk.checksum)")
            }
            try await sink?.commit()
            return message
        } catch {
            await sink?.discard()
            throw error
        }
    }

    /// The connection ended before the last piece.
    func abandon() async {
        await sink?.discard()
    }
}
