import Dispatch
import Foundation
import TockRaft
import TockRaftTransport

#if canImport(Glibc)
    import Glibc
    import TockConcurrency
#endif

/// A node's snapshot data, as files in a directory beside its SQLite file (`<database>-snapshots`):
/// `snapshot-<index>-<term>.sqlite` for complete snapshots (see `ShardSnapshot`), `*.partial` for those being taken
/// or received. A file gets its final name only once it is complete and fsynced, so a crash leaves at most partial
/// files, which the next start removes with every snapshot but the current one.
///
/// Also where the transport reads the snapshots it sends and writes those it receives: a received file is checked
/// to be a snapshot of the announced index before it gets its name, so Raft only hears of snapshots the node can
/// install. Disk work runs on threads of its own, never on Swift's cooperative threads.
final class SnapshotFiles: SnapshotStore {
    let directory: String
    private static let io = BlockingPool(name: "tock.snapshot-files", threads: 4)

    init(directory: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    func path(for snapshot: Snapshot) -> String {
        "\(directory)/snapshot-\(snapshot.index)-\(snapshot.term).sqlite"
    }

    func holds(_ snapshot: Snapshot) -> Bool {
        FileManager.default.fileExists(atPath: path(for: snapshot))
    }

    func newPartialPath() -> String {
        "\(directory)/\(UUID().uuidString).partial"
    }

    /// Flushes the file at `partial` to disk, so that `publish` (which the Raft loop waits for) finds little left
    /// to write.
    func sync(_ partial: String) async throws {
        try await Self.blocking { try Self.fsync(path: partial) }
    }

    /// Gives the complete file at `partial` its name as the data of `snapshot`, durably: the file's bytes, then the
    /// rename, reach the disk before this returns.
    func publish(_ partial: String, as snapshot: Snapshot) async throws {
        let target = path(for: snapshot)
        let directory = self.directory
        try await Self.blocking {
            try Self.fsync(path: partial)
            guard rename(partial, target) == 0 else { throw SnapshotFileError("cannot rename \(partial)", errno) }
            try Self.fsync(path: directory)
        }
    }

    func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Removes partial files and every snapshot but `keep`. Only while nothing is being sent or received (at start).
    func removeAll(except keep: Snapshot?) {
        let kept = keep.map(path(for:))
        for name in names() where "\(directory)/\(name)" != kept { remove("\(directory)/\(name)") }
    }

    /// Removes the snapshots before `snapshot`. Later ones may have just been received, on their way to Raft.
    func removeOlder(than snapshot: Snapshot) {
        for name in names() {
            guard let index = Self.index(ofName: name), index < snapshot.index else { continue }
            remove("\(directory)/\(name)")
        }
    }

    private func names() -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    }

    /// The index in a complete snapshot's file name; nil for anything else.
    private static func index(ofName name: String) -> UInt64? {
        guard name.hasPrefix("snapshot-"), name.hasSuffix(".sqlite") else { return nil }
        return name.dropFirst("snapshot-".count).split(separator: "-").first.flatMap { UInt64($0) }
    }

    // MARK: SnapshotStore

    func openForSending(_ snapshot: Snapshot) async throws -> any SnapshotSource {
        let path = self.path(for: snapshot)
        return try await Self.blocking {
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw SnapshotFileError("no snapshot file \(path)", ENOENT)
            }
            return Source(handle: handle)
        }
    }

    func beginReceiving(_ snapshot: Snapshot, from peer: NodeID) async throws -> any SnapshotSink {
        let partial = newPartialPath()
        return try await Self.blocking {
            guard FileManager.default.createFile(atPath: partial, contents: nil),
                let handle = FileHandle(forWritingAtPath: partial)
            else { throw SnapshotFileError("cannot create \(partial)", errno) }
            return Sink(files: self, snapshot: snapshot, partial: partial, handle: handle)
        }
    }

    /// Invariant that makes `@unchecked Sendable` sound: the transport uses a source from one task, one call at a
    /// time, and each call touches the handle only inside one block on the I/O queue.
    final class Source: SnapshotSource, @unchecked Sendable {
        private let handle: FileHandle

        init(handle: FileHandle) { self.handle = handle }

        func read(maxBytes: Int) async throws -> [UInt8] {
            let handle = self.handle
            return try await SnapshotFiles.blocking { [UInt8](try handle.read(upToCount: maxBytes) ?? Data()) }
        }

        func close() async {
            let handle = self.handle
            _ = try? await SnapshotFiles.blocking { try handle.close() }
        }
    }

    /// Same invariant as `Source`.
    final class Sink: SnapshotSink, @unchecked Sendable {
        private let files: SnapshotFiles
        private let snapshot: Snapshot
        private let partial: String
        private let handle: FileHandle
        private var closed = false

        init(files: SnapshotFiles, snapshot: Snapshot, partial: String, handle: FileHandle) {
            self.files = files
            self.snapshot = snapshot
            self.partial = partial
            self.handle = handle
        }

        func write(_ bytes: [UInt8]) async throws {
            let handle = self.handle
            try await SnapshotFiles.blocking { try handle.write(contentsOf: bytes) }
        }

        func commit() async throws {
            let (handle, partial, index) = (self.handle, self.partial, snapshot.index)
            closed = true
            try await SnapshotFiles.blocking {
                try handle.close()
                let stored = try ShardSnapshot.index(ofFileAt: partial)
                guard stored == index else {
                    throw ShardSnapshot.Malformed(description: "a file of index \(stored) sent as snapshot \(index)")
                }
            }
            try await files.publish(partial, as: snapshot)
        }

        func discard() async {
            let (handle, partial) = (self.handle, self.partial)
            if !closed { _ = try? await SnapshotFiles.blocking { try handle.close() } }
            files.remove(partial)
        }
    }

    // MARK: Blocking I/O

    static func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await io.run(body)
    }

    private static func fsync(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw SnapshotFileError("cannot open \(path)", errno) }
        defer { close(fd) }
        guard Glibc.fsync(fd) == 0 else { throw SnapshotFileError("cannot fsync \(path)", errno) }
    }
}

struct SnapshotFileError: Error, CustomStringConvertible {
    let description: String

    init(_ what: String, _ code: Int32) {
        description = "\(what): \(String(cString: strerror(code)))"
    }
}
