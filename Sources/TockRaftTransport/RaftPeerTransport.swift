import Logging
import NIOCore
import NIOPosix
import Synchronization
import TockRaft

/// Raft messages between the nodes of one shard, over TCP.
///
/// Outbound: one connection per peer, opened when a message first waits for it
/// and reopened after failures with backoff (100 ms doubling to 2 s). Each peer
/// has a bounded queue; `send` never blocks and drops what does not fit (Raft
/// tolerates loss: heartbeats and appends are retried by the core).
///
/// Inbound: a listener accepts any number of connections; each message goes to
/// `onMessage` in the order its connection carried it. `onMessage` runs on the
/// transport's tasks, concurrently for different connections; it should hand
/// the message off quickly (a slow callback slows that sender, via TCP).
///
/// Every connection starts with a handshake (`RaftHandshake`): each side names
/// its cluster, shard and node and, with a cluster secret, proves it holds the
/// secret. A connection from another cluster or shard, from a node that is not
/// a peer, or without the right proof is closed before any Raft frame of it is
/// read, and counted through `onRefusal`. Inbound connections are bounded by
/// `RaftConnectionLimits`, and a handshake must finish within its timeout.
///
/// Frames are a 4-byte big-endian length and a `tock.v1.RaftFrame`; messages
/// whose frame would exceed 1 MiB (big appends) travel as chunks and are
/// reassembled before `onMessage` (see `RaftFrameLimits`).
///
/// A snapshot message carries only metadata; its data, read from the
/// `SnapshotStore`, follows it in pieces, and the receiver hands the message
/// to `onMessage` only after its store committed all of the data intact.
///
/// Ordering contract: messages to one peer are written in `send` order on one
/// connection, so a peer sees them in order except that messages may be lost
/// (queue full, connection failure). After a reconnect the old and the new
/// connection may briefly be read concurrently on the receiving side.
public final class RaftPeerTransport: Sendable {
    public typealias PeerAddress = (host: String, port: Int)

    private let id: NodeID
    private let listenHost: String
    private let listenPort: Int
    private let queueLimit: Int
    private let logger: Logger
    private let onMessage: @Sendable (Message) -> Void
    private let snapshots: (any SnapshotStore)?
    private let group: any EventLoopGroup
    private let handshake: RaftHandshake
    private let limits: RaftConnectionLimits
    private let refusals: RefusalReporter
    private let tls: RaftTLS?
    private let dropped = Atomic<Int>(0)
    private let state: Mutex<State>

    private struct State {
        var phase: Phase = .idle
        var peers: [NodeID: PeerConnection]
        /// Links removed by `updatePeers`, still winding down; awaited by `shutdown`.
        var retired: [Task<Void, Never>] = []
    }

    private enum Phase {
        case idle
        case starting
        case running(server: any Channel, task: Task<Void, Never>)
        case shutDown(Task<Void, Never>)
    }

    /// - Parameters:
    ///   - peers: the other nodes; a message whose `to` is not here (this node
    ///     included) is dropped and counted.
    ///   - queueLimit: messages waiting per peer before `send` drops.
    ///   - onMessage: every message received, in order per connection.
    ///   - snapshots: where snapshot data is read from and written to; without
    ///     one, snapshot messages travel with empty data.
    ///   - identity: the cluster and shard this node belongs to, and the cluster secret.
    ///   - limits: inbound connections at once, and the handshake's timeout.
    ///   - onRefusal: called for every connection the handshake refused (either side).
    ///   - tls: mutual TLS on every connection, when given.
    ///   - group: defaults to NIO's shared singleton group (never shut down here).
    public init(
        id: NodeID, listenHost: String, listenPort: Int, peers: [NodeID: PeerAddress],
        queueLimit: Int = 4096, logger: Logger, onMessage: @escaping @Sendable (Message) -> Void,
        snapshots: (any SnapshotStore)? = nil, identity: RaftPeerIdentity = RaftPeerIdentity(),
        limits: RaftConnectionLimits = RaftConnectionLimits(),
        onRefusal: @escaping @Sendable (RaftPeerRefusal.Reason) -> Void = { _ in }, tls: RaftTLS? = nil,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.id = id
        self.listenHost = listenHost
        self.listenPort = listenPort
        self.queueLimit = queueLimit
        var logger = logger
        logger[metadataKey: "raft.node"] = "\(id)"
        self.logger = logger
        self.onMessage = onMessage
        self.snapshots = snapshots
        self.group = group
        let handshake = RaftHandshake(me: id, identity: identity)
        self.handshake = handshake
        self.limits = limits
        let refusals = RefusalReporter(logger: logger, onRefusal: onRefusal)
        self.refusals = refusals
        self.tls = tls
        var links: [NodeID: PeerConnection] = [:]
        for (peer, address) in peers {
            links[peer] = PeerConnection(
                peer: peer, host: address.host, port: address.port, queueLimit: queueLimit, group: group,
                logger: logger, snapshots: snapshots, handshake: handshake,
                handshakeTimeout: limits.handshakeTimeout, refusals: refusals, tls: tls
            )
        }
        state = Mutex(State(peers: links))
    }

    /// Binds the listener and starts the peer links. Returns the bound port
    /// (the chosen one when `listenPort` is 0). Messages sent before `start`
    /// wait in the queues.
    ///
    /// - Throws: `RaftTransportError.alreadyStarted` / `.shutDown`, or the bind error.
    public func start() async throws -> Int {
        try state.withLock { (state) throws(RaftTransportError) in
            switch state.phase {
            case .idle: state.phase = .starting
            case .starting, .running: throw .alreadyStarted
            case .shutDown: throw .shutDown
            }
        }

        let server: InboundListener.Server
        do {
            server = try await InboundListener.bind(host: listenHost, port: listenPort, tls: tls, group: group)
        } catch {
            state.withLock { state in
                if case .starting = state.phase { state.phase = .idle }
            }
            throw error
        }
        let port = server.channel.localAddress?.port ?? listenPort
        let context = InboundListener.Context(
            logger: logger, snapshots: snapshots, handshake: handshake, limits: limits, refusals: refusals,
            peers: { [self] in knownPeers() }, onMessage: onMessage)
        let task = Task { await InboundListener.serve(server, context) }

        let peers: [PeerConnection]? = state.withLock { state in
            guard case .starting = state.phase else { return nil }
            state.phase = .running(server: server.channel, task: task)
            return Array(state.peers.values)
        }
        guard let peers else {
            // shutdown() ran while binding.
            task.cancel()
            server.channel.close(promise: nil)
            await task.value
            throw RaftTransportError.shutDown
        }
        for peer in peers { peer.start() }
        logger.info("raft transport listening", metadata: ["raft.port": "\(port)"])
        return port
    }

    /// Enqueues each message for its `to` peer. Never blocks; a message for an
    /// unknown peer, to a full queue, or after `shutdown` is dropped and counted
    /// in `droppedMessages`.
    public func send(_ messages: [Message]) {
        guard !messages.isEmpty else { return }
        let peers = state.withLock { $0.peers }
        var drops = 0
        for message in messages {
            guard let peer = peers[message.to], peer.enqueue(message) else {
                drops += 1
                continue
            }
        }
        if drops > 0 {
            dropped.add(drops, ordering: .relaxed)
        }
    }

    /// Replaces the peer set (membership changes). Links to peers that stay at
    /// the same address are kept with their queues; removed peers and peers whose
    /// address changed lose their queued messages and connection.
    public func updatePeers(_ peers: [NodeID: PeerAddress]) {
        let (toStart, toStop) = state.withLock { state -> ([PeerConnection], [PeerConnection]) in
            if case .shutDown = state.phase { return ([], []) }
            var toStop: [PeerConnection] = []
            for (peer, link) in state.peers {
                if let address = peers[peer], address.host == link.host, address.port == link.port { continue }
                toStop.append(link)
                state.peers[peer] = nil
            }
            var created: [PeerConnection] = []
            for (peer, address) in peers where state.peers[peer] == nil {
                let link = PeerConnection(
                    peer: peer, host: address.host, port: address.port, queueLimit: queueLimit, group: group,
                    logger: logger, snapshots: snapshots, handshake: handshake,
                    handshakeTimeout: limits.handshakeTimeout, refusals: refusals, tls: tls
                )
                state.peers[peer] = link
                created.append(link)
            }
            for link in toStop {
                if let task = link.stop() { state.retired.append(task) }
            }
            if case .running = state.phase { return (created, toStop) }
            return ([], toStop)
        }
        for link in toStart { link.start() }
        if !toStop.isEmpty || !toStart.isEmpty {
            logger.info(
                "raft peers updated",
                metadata: [
                    "raft.added": "\(toStart.map(\.peer).sorted())", "raft.removed": "\(toStop.map(\.peer).sorted())",
                ])
        }
    }

    /// Closes the listener, every connection and every peer link, and waits for
    /// their tasks. Idempotent: later (or concurrent) calls wait for the same work.
    public func shutdown() async {
        let work = state.withLock { state -> Task<Void, Never> in
            if case .shutDown(let task) = state.phase { return task }
            let phase = state.phase
            let links = Array(state.peers.values)
            var tasks = state.retired
            state.peers = [:]
            state.retired = []
            for link in links {
                if let task = link.stop() { tasks.append(task) }
            }
            let task = Task {
                if case .running(let server, let serverTask) = phase {
                    serverTask.cancel()
                    server.close(promise: nil)
                    tasks.append(serverTask)
                }
                for task in tasks { await task.value }
            }
            state.phase = .shutDown(task)
            return task
        }
        await work.value
    }

    private func knownPeers() -> Set<NodeID> {
        state.withLock { Set($0.peers.keys) }
    }

    /// Messages dropped so far: queue full, unknown peer, or sent after shutdown.
    /// Messages lost inside a failing connection are not counted.
    public var droppedMessages: Int {
        dropped.load(ordering: .relaxed)
    }
}
