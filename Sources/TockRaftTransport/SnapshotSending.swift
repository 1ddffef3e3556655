import NIOCore
import TockModel
import TockRaft
import TockWire

/// The sending side of a snapshot: the metadata message, then its data read from the store one piece at a time,
/// each written (and waited for, so the connection's back-pressure bounds what is buffered) before the next is
/// read.
enum SnapshotSending {
    /// The frames to write for `message`, or nil when the store no longer holds its data (the message is dropped).
    static func open(_ message: Message, store: (any SnapshotStore)?) async throws -> (any SnapshotSource)? {
        guard let store, let snapshot = message.snapshot else { return nil }
        return try await store.openForSending(snapshot)
    }

    /// Writes the data of the snapshot message just written, ending with the piece that carries size and checksum.
    /// Without a source (no store) the data is empty.
    static func writeData(
        from source: (any SnapshotSource)?, to outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>,
        encoder: inout RaftFrameEncoder
    ) async throws {
        var checksum = SnapshotChecksum()
        var sequence: UInt32 = 0
        var piece = try await source?.read(maxBytes: RaftFrameLimits.chunkDataSize) ?? []
        while true {
            let next = piece.isEmpty ? [] : try await source?.read(maxBytes: RaftFrameLimits.chunkDataSize) ?? []
            checksum.add(piece)
            let last = next.isEmpty
            let chunk = RaftSnapshotChunk(
                sequence: sequence, last: last, data: piece, size: last ? checksum.size : 0,
                checksum: last ? checksum.value : 0)
            try await outbound.write(encoder.framed(RaftFrame.snapshotChunk(chunk).encoded()))
            if last { return }
            piece = next
            sequence &+= 1
        }
    }
}
