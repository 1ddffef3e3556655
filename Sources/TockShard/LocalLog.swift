import Logging
import TockSQLite
import TockWire

/// A one-node log with group commit: proposals that arrive while a batch is being written wait and go into the
/// next batch, so a burst of submits costs one fsync per batch rather than one per job.
///
/// Each batch is one SQLite transaction that appends the commands to `command_log`, applies them with the state
/// machine and advances `applied_index`: the commit point and the fsync are the same.
public actor LocalLog: ReplicatedLog {
    public typealias AppliedHandler = @Sendable ([ApplyResult]) async -> Void

    private let database: DatabaseQueue
    private let stateMachine: JobStateMachine
    private let maxBatch: Int
    /// Log entries kept behind the applied index, for inspection; older ones are compacted away.
    private let retainedEntries: Int64
    private var pending: [(command: ShardCommand, continuation: CheckedContinuation<ApplyResult, any Error>)] = []
    private var flushing = false
    private var lastIndex: Int64
    private var onApplied: AppliedHandler?

    init(database: DatabaseQueue, stateMachine: JobStateMachine, maxBatch: Int = 2048, retainedEntries: Int64 = 10_000)
        throws
    {
        self.database = database
        self.stateMachine = stateMachine
        self.maxBatch = maxBatch
        self.retainedEntries = retainedEntries
        self.lastIndex = try database.syncWrite { db in
            try db.statement("SELECT value FROM tock_meta WHERE key = 'applied_index'").first { $0.int64(0) } ?? 0
        }
    }

    /// Called after every committed batch, in commit order, with the results of its commands.
    func setAppliedHandler(_ handler: @escaping AppliedHandler) {
        onApplied = handler
    }

    public func propose(_ command: ShardCommand) async throws -> ApplyResult {
        try await withCheckedThrowingContinuation { continuation in
            pending.append((command, continuation))
            if !flushing {
                flushing = true
                Task { await flushPending() }
            }
        }
    }

    private func flushPending() async {
        while !pending.isEmpty {
            let batch = Array(pending.prefix(maxBatch))
            pending.removeFirst(batch.count)
            let commands = batch.map(\.command)
            let firstIndex = lastIndex + 1
            let stateMachine = self.stateMachine
            let retained = retainedEntries
            do {
                let results = try await database.write { db in
                    let append = try db.statement("INSERT INTO command_log (idx, term, command) VALUES (?, 1, ?)")
                    var results: [ApplyResult] = []
                    results.reserveCapacity(commands.count)
                    for (offset, command) in commands.enumerated() {
                        try append.run(firstIndex + Int64(offset), command.encoded())
                        results.append(try stateMachine.apply(command, in: db))
                    }
                    let applied = firstIndex + Int64(commands.count) - 1
                    try db.statement("UPDATE tock_meta SET value = ? WHERE key = 'applied_index'").run(applied)
                    if applied % 1024 < Int64(commands.count) {
                        try db.statement("DELETE FROM command_log WHERE idx <= ?").run(applied - retained)
                    }
                    return results
                }
                lastIndex = firstIndex + Int64(commands.count) - 1
                await onApplied?(results)
                for (entry, result) in zip(batch, results) { entry.continuation.resume(returning: result) }
            } catch {
                // The transaction rolled back: none of the batch was committed.
                for entry in batch { entry.continuation.resume(throwing: error) }
            }
        }
        flushing = false
    }
}
