import TockModel

/// A piece of the state-machine data that follows a snapshot message on the same connection
/// (`tock.v1.RaftSnapshotChunk`): sequence 0, 1, 2, ..., the last one carrying the total size and checksum.
public struct RaftSnapshotChunk: Equatable, Sendable {
    public var sequence: UInt32
    public var last: Bool
    public var data: [UInt8]
    /// On the last piece: the length of all the data.
    public var size: UInt64
    /// On the last piece: the `SnapshotChecksum` of all the data.
    public var checksum: UInt64

    public init(sequence: UInt32, last: Bool, data: [UInt8], size: UInt64 = 0, checksum: UInt64 = 0) {
        self.sequence = sequence
        self.last = last
        self.data = data
        self.size = size
        self.checksum = checksum
    }
}
