import TockModel
import TockWire

/// The seam between the shard and its replication. `propose` returns once the command is committed
/// (durable on a quorum: for one node, fsynced on its disk) and applied to the state machine, with the result of
/// applying it. A thrown error means the command was not committed and nothing it says happened.
///
/// The single-node `LocalLog` implements it today; the Raft log replaces it without touching `JobStateMachine`.
public protocol ReplicatedLog: Sendable {
    func propose(_ command: ShardCommand) async throws -> ApplyResult
}
