import TockRaft
import TockRaftTransport

/// What the driver needs of the network between the nodes of its shard: `RaftPeerTransport` over TCP, or a
/// simulated network in tests (`RaftDriver`'s `simulatedTransport`).
protocol RaftMessageTransport: Sendable {
    /// Starts listening and connecting; returns the port listened on.
    func start() async throws -> Int
    /// Sends without waiting; what cannot be sent is dropped (Raft sends again what matters).
    func send(_ messages: [Message])
    /// The peers changed (a node was added, or an address committed).
    func updatePeers(_ peers: [NodeID: RaftPeerTransport.PeerAddress])
    func shutdown() async
}

extension RaftPeerTransport: RaftMessageTransport {}

/// Makes a simulated transport for one node, given where its received messages go and the node's snapshot files
/// (which the transport reads snapshots from, and stores received ones in, before delivering the message).
typealias SimulatedTransportFactory =
    @Sendable (
        _ deliver: @escaping @Sendable (Message) -> Void, _ snapshots: SnapshotFiles
    ) -> any RaftMessageTransport
