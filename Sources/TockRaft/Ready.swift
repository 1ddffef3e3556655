/// Everything the node wants done, handed out by `RaftNode.ready()`. The driver must, in this order:
/// 1. persist `snapshot` (if any), then `entries` — first deleting stored entries at or after `entries[0].index` —
///    and `hardState` (if any), durably (fsync);
/// 2. send `messages`;
/// 3. apply `snapshot` and then `committedEntries` to the state machine, in order;
/// 4. call `advance(_:)` with this value.
/// Each of `readStates` is answered once the state machine has applied through its index, which may be by the
/// `committedEntries` of this same Ready or of a later one.
public struct Ready: Sendable, Equatable {
    public var hardState: HardState?
    public var snapshot: Snapshot?
    public var entries: [Entry]
    public var messages: [Message]
    public var committedEntries: [Entry]
    /// Who leads, as far as this node knows, and its role; for the driver's routing, never to be persisted.
    public var leader: NodeID?
    public var role: RaftNode.Role
    /// Reads requested with `RaftNode.requestRead(context:)` that a quorum has confirmed, in request order.
    public var readStates: [ReadState] = []

    public var isEmpty: Bool {
        hardState == nil && snapshot == nil && entries.isEmpty && messages.isEmpty && committedEntries.isEmpty
            && readStates.isEmpty
    }
}
