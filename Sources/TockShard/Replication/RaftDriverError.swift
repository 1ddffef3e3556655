import TockRaft

/// Why the Raft group did not answer a request.
public enum RaftDriverError: Error, Sendable, Equatable, CustomStringConvertible {
    /// This node does not lead; `leader` is who does, if known.
    case notLeader(leader: NodeID?)
    /// The request may or may not have taken effect (a new leader overwrote or a snapshot covered its entry, or it
    /// timed out): retry with the same idempotency key.
    case outcomeUnknown
    /// The node stopped, e.g. because it could not write its disk.
    case stopped
    /// Leadership can only go to another voter of the group.
    case invalidTransferTarget(NodeID)
    /// The membership change cannot be made now (another is in progress) or at all.
    case membershipChangeRefused(String)
    /// The node's disk is full: it stores nothing until space is freed, then carries on by itself.
    case storageFull

    public var description: String {
        switch self {
        case .notLeader(let leader): "this node is not the shard's leader (leader: \(leader ?? "unknown"))"
        case .outcomeUnknown: "the outcome is unknown (leadership changed or the request timed out); retry"
        case .stopped: "the shard node has stopped"
        case .invalidTransferTarget(let target): "\(target) is not another voter of this shard"
        case .membershipChangeRefused(let reason): "membership change refused: \(reason)"
        case .storageFull: "the shard node's disk is full: nothing was stored; retry once space is freed"
        }
    }
}
