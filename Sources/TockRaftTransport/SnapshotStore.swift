import TockRaft

/// Where the transport reads the data of the snapshots it sends and writes the data of those it receives. The Raft
/// core only knows a snapshot's metadata; its data (the whole state machine) is kept by the node, as a file, and
/// never held in memory whole: the transport moves it a piece at a time.
public protocol SnapshotStore: Sendable {
    /// The data of `snapshot`, to send. Throws when this node no longer holds it: the message is then dropped, and
    /// the core sends a newer snapshot when it tries again.
    func openForSending(_ snapshot: Snapshot) async throws -> any SnapshotSource
    /// A place for the data of `snapshot`, arriving from `peer`.
    func beginReceiving(_ snapshot: Snapshot, from peer: NodeID) async throws -> any SnapshotSink
}

/// The data of one snapshot being sent, read by one task.
public protocol SnapshotSource: AnyObject, Sendable {
    /// The next bytes, at most `maxBytes`; empty at the end.
    func read(maxBytes: Int) async throws -> [UInt8]
    func close() async
}

/// The data of one snapshot being received, written by one task.
public protocol SnapshotSink: AnyObject, Sendable {
    func write(_ bytes: [UInt8]) async throws
    /// All the data arrived intact: make it durable and findable by the snapshot's index and term. Throws if the
    /// data is not a usable snapshot; the transport then drops the message as if it never arrived.
    func commit() async throws
    /// The transfer broke off or the data was damaged: forget what was written.
    func discard() async
}
