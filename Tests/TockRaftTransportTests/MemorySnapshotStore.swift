import Synchronization
import TockRaft
import TockRaftTransport

/// Snapshot data in memory, by index, with a record of what was received and discarded, and switches to break a
/// transfer on either side.
final class MemorySnapshotStore: SnapshotStore {
    struct State {
        var data: [UInt64: [UInt8]] = [:]
        /// Sending fails after this many pieces, as if the disk failed mid-read.
        var failReadingAfter: Int?
        /// Receiving refuses the complete data, as a store that finds it unusable would.
        var refuseCommit = false
        var discarded = 0
        var committed = 0
        /// Bytes written to sinks not yet committed or discarded.
        var open: [ObjectIdentifier: [UInt8]] = [:]
    }

    let state = Mutex(State())

    func set(_ index: UInt64, _ bytes: [UInt8]) { state.withLock { $0.data[index] = bytes } }
    func data(_ index: UInt64) -> [UInt8]? { state.withLock { $0.data[index] } }
    var discarded: Int { state.withLock { $0.discarded } }
    var committed: Int { state.withLock { $0.committed } }
    var openSinks: Int { state.withLock { $0.open.count } }

    func openForSending(_ snapshot: Snapshot) async throws -> any SnapshotSource {
        let (bytes, failAfter) = state.withLock { ($0.data[snapshot.index], $0.failReadingAfter) }
        guard let bytes else { throw Missing() }
        return Source(bytes: bytes, failAfter: failAfter)
    }

    func beginReceiving(_ snapshot: Snapshot, from peer: NodeID) async throws -> any SnapshotSink {
        let sink = Sink(store: self, index: snapshot.index)
        state.withLock { $0.open[ObjectIdentifier(sink)] = [] }
        return sink
    }

    struct Missing: Error {}
    struct Refused: Error {}
    struct ReadFailed: Error {}

    final class Source: SnapshotSource {
        let position = Mutex((offset: 0, pieces: 0))
        let bytes: [UInt8]
        let failAfter: Int?

        init(bytes: [UInt8], failAfter: Int?) {
            self.bytes = bytes
            self.failAfter = failAfter
        }

        func read(maxBytes: Int) async throws -> [UInt8] {
            try position.withLock { position in
                if let failAfter, position.pieces >= failAfter { throw ReadFailed() }
                let end = min(position.offset + maxBytes, bytes.count)
                defer { position = (end, position.pieces + 1) }
                return Array(bytes[position.offset..<end])
            }
        }

        func close() async {}
    }

    final class Sink: SnapshotSink {
        let store: MemorySnapshotStore
        let index: UInt64

        init(store: MemorySnapshotStore, index: UInt64) {
            self.store = store
            self.index = index
        }

        func write(_ bytes: [UInt8]) async throws {
            store.state.withLock { $0.open[ObjectIdentifier(self), default: []].append(contentsOf: bytes) }
        }

        func commit() async throws {
            try store.state.withLock { state in
                guard !state.refuseCommit else { throw Refused() }
                state.data[index] = state.open.removeValue(forKey: ObjectIdentifier(self)) ?? []
                state.committed += 1
            }
        }

        func discard() async {
            store.state.withLock { state in
                state.open[ObjectIdentifier(self)] = nil
                state.discarded += 1
            }
        }
    }
}
