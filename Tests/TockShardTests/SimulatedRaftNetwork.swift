import Foundation
import Synchronization
import TockRaft
import TockRaftTransport

@testable import TockShard

/// The network between simulated `RaftDriver`s, in place of TCP: a message sent is delivered when the simulation
/// advances the network's clock past its delay, unless it was dropped or a partition stands between its ends. A
/// snapshot message's data is copied from the sender's snapshot files to the receiver's, through the same
/// `SnapshotStore` calls the TCP transport makes, before the message is delivered; a copy that fails loses the
/// message.
///
/// Per-message choices (drop, delay) come from the network's own seeded generator; messages are sent from the
/// drivers' tasks, so which message draws which number depends on their interleaving.
final class SimulatedRaftNetwork: Sendable {
    struct Faults: Sendable {
        var drop = 0.0
        var maxDelay = 1
        /// Which side of a partition each node is on; nil when the network is whole.
        var partition: [NodeID: Int]?

        func connected(_ a: NodeID, _ b: NodeID) -> Bool {
            guard let partition else { return true }
            return partition[a] == partition[b]
        }
    }

    private struct Endpoint {
        var deliver: @Sendable (Message) -> Void
        var snapshots: SnapshotFiles
        /// Tells a restarted node's endpoint from the one its stopped predecessor leaves behind.
        var generation: Int
    }

    private struct InFlight {
        var message: Message
        var deliverAt: Int
        /// The sender's snapshot files, for a snapshot message.
        var source: SnapshotFiles?
    }

    private struct State {
        var now = 0
        var random: SplitMix64
        var faults = Faults()
        var endpoints: [NodeID: Endpoint] = [:]
        var inFlight: [InFlight] = []
        var generations = 0
        var delivered = 0
        var dropped = 0
        var snapshotsCopied = 0
    }

    private let state: Mutex<State>

    init(seed: UInt64) {
        state = Mutex(State(random: SplitMix64(seed: seed ^ 0x6E65_7477_6F72_6B)))
    }

    var faults: Faults {
        get { state.withLock { $0.faults } }
        set { state.withLock { $0.faults = newValue } }
    }

    var counts: (delivered: Int, dropped: Int, snapshotsCopied: Int) {
        state.withLock { ($0.delivered, $0.dropped, $0.snapshotsCopied) }
    }

    /// The transport of node `id`, for `RaftDriver`'s `simulatedTransport`.
    func transport(for id: NodeID) -> SimulatedTransportFactory {
        { [self] deliver, snapshots in
            let generation = state.withLock { state in
                state.generations += 1
                state.endpoints[id] = Endpoint(deliver: deliver, snapshots: snapshots, generation: state.generations)
                return state.generations
            }
            return Link(network: self, id: id, generation: generation)
        }
    }

    fileprivate func send(_ messages: [Message], from id: NodeID) {
        state.withLock { state in
            guard let sender = state.endpoints[id] else { return }
            for message in messages {
                let draw = Double(state.random.next() % 1_000_000) / 1_000_000
                guard draw >= state.faults.drop, state.faults.connected(message.from, message.to) else {
                    state.dropped += 1
                    continue
                }
                let delay = Int(state.random.next() % UInt64(state.faults.maxDelay + 1))
                state.inFlight.append(
                    InFlight(
                        message: message, deliverAt: state.now + delay,
                        source: message.snapshot == nil ? nil : sender.snapshots))
            }
        }
    }

    fileprivate func disconnect(_ id: NodeID, generation: Int) {
        state.withLock { state in
            if state.endpoints[id]?.generation == generation { state.endpoints[id] = nil }
        }
    }

    /// One tick: delivers every message now due to a node that is up and on the sender's side of any partition.
    func advance() async {
        let due = state.withLock { state -> [(InFlight, Endpoint)] in
            state.now += 1
            let now = state.now
            var due: [(InFlight, Endpoint)] = []
            var later: [InFlight] = []
            for item in state.inFlight {
                guard item.deliverAt <= now else {
                    later.append(item)
                    continue
                }
                if let endpoint = state.endpoints[item.message.to],
                    state.faults.connected(item.message.from, item.message.to)
                {
                    due.append((item, endpoint))
                } else {
                    state.dropped += 1
                }
            }
            state.inFlight = later
            return due
        }
        for (item, endpoint) in due {
            if let snapshot = item.message.snapshot, let source = item.source {
                guard await Self.copy(snapshot, from: source, to: endpoint.snapshots, sender: item.message.from) else {
                    state.withLock { $0.dropped += 1 }
                    continue
                }
                state.withLock { $0.snapshotsCopied += 1 }
            }
            endpoint.deliver(item.message)
            state.withLock { $0.delivered += 1 }
        }
    }

    /// What the TCP transport does for a snapshot: streams the sender's file into the receiver's store, which
    /// checks it before it gets its name.
    private static func copy(
        _ snapshot: Snapshot, from source: SnapshotFiles, to target: SnapshotFiles,
        sender: NodeID
    ) async -> Bool {
        guard let reader = try? await source.openForSending(snapshot) else { return false }
        guard let sink = try? await target.beginReceiving(snapshot, from: sender) else {
            await reader.close()
            return false
        }
        var copied = false
        do {
            while true {
                let bytes = try await reader.read(maxBytes: 256 << 10)
                if bytes.isEmpty { break }
                try await sink.write(bytes)
            }
            try await sink.commit()
            copied = true
        } catch {
            await sink.discard()
        }
        await reader.close()
        return copied
    }

    private struct Link: RaftMessageTransport {
        let network: SimulatedRaftNetwork
        let id: NodeID
        let generation: Int

        func start() async throws -> Int { 0 }
        func send(_ messages: [Message]) { network.send(messages, from: id) }
        func updatePeers(_ peers: [NodeID: RaftPeerTransport.PeerAddress]) {}
        func shutdown() async { network.disconnect(id, generation: generation) }
    }
}
