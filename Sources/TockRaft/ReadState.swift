/// A linearizable read the leader has confirmed (read index, Raft thesis §6.4), handed out in `Ready.readStates`.
///
/// The read may be answered from the local state machine once it has applied through `index`: everything committed
/// before the read was requested is at or below it, and a quorum confirmed this node still led after the request.
public struct ReadState: Sendable, Equatable {
    /// The leader's commit index when the read was requested (or, if its term had nothing committed yet, when it
    /// first committed an entry of its term).
    public var index: UInt64
    /// What the driver passed to `RaftNode.requestRead(context:)`, to find the waiting request.
    public var context: UInt64

    public init(index: UInt64, context: UInt64) {
        self.index = index
        self.context = context
    }
}
