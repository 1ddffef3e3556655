import Synchronization
import TockCore
import TockModel
import TockSQLite
import TockWire

@testable import TockShard

/// A log of one node that commits each proposal by applying it to the database, and fails the proposals a test
/// picks, like a leader that lost its quorum before the entry committed: nothing of a failed command happens.
/// Committed runs that come due are handed to `onNewlyDue`, as `ShardNode` hands them to its due-timer.
final class FlakyLog: ReplicatedLog {
    struct NotCommitted: Error {}

    struct Proposal {
        var command: ShardCommand
        var committed: Bool
        var at: ContinuousClock.Instant
    }

    private struct Failure {
        var remaining: Int
        var matches: @Sendable (ShardCommand) -> Bool
    }

    let database: DatabaseQueue
    private let failures = Mutex<[Failure]>([])
    private let proposals = Mutex<[Proposal]>([])
    private let newlyDue = Mutex<(@Sendable ([DueEntry]) async -> Void)?>(nil)

    init(database: DatabaseQueue) { self.database = database }

    /// The next `count` proposals that `matches` fail without being applied.
    func fail(next count: Int, _ matches: @escaping @Sendable (ShardCommand) -> Bool) {
        failures.withLock { $0.append(Failure(remaining: count, matches: matches)) }
    }

    func onNewlyDue(_ handler: @escaping @Sendable ([DueEntry]) async -> Void) {
        newlyDue.withLock { $0 = handler }
    }

    /// Every proposal so far that `matches`, in order, and whether it committed.
    func proposed(_ matches: (ShardCommand) -> Bool) -> [Proposal] {
        proposals.withLock { $0.filter { matches($0.command) } }
    }

    func propose(_ command: ShardCommand) async throws -> ApplyResult {
        let fails = failures.withLock { failures in
            guard let index = failures.firstIndex(where: { $0.remaining > 0 && $0.matches(command) }) else {
                return false
            }
            failures[index].remaining -= 1
            return true
        }
        proposals.withLock { $0.append(Proposal(command: command, committed: !fails, at: .now)) }
        if fails { throw NotCommitted() }
        let result = try await database.write { try JobStateMachine(shard: 0).applyOrReject(command, in: $0) }
        if let handler = newlyDue.withLock({ $0 }), !result.newlyDue.isEmpty { await handler(result.newlyDue) }
        return result
    }
}

extension ShardCommand {
    var isMarkPublished: Bool { if case .markPublished = self { true } else { false } }
    var isMarkDone: Bool { if case .markDone = self { true } else { false } }
}
