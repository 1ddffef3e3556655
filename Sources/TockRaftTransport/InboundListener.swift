import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization
import TockModel
import TockRaft
import TockWire

/// The listening side: accepts connections from peers, runs the server's side of the handshake on each, then
/// decodes their frames, reassembles chunked messages, receives snapshot data into the store, and hands each
/// message to `onMessage`, in order per connection.
///
/// A connection that is refused by the handshake, over the connection limit, or whose frames are too large, do not
/// decode or break the chunk protocol is logged and closed; the listener and other connections go on.
enum InboundListener {
    typealias Connection = NIOAsyncChannel<RaftFrame, ByteBuffer>
    /// A connection and the gate its frame decoder consults.
    struct Accepted: Sendable {
        let connection: Connection
        let gate: HandshakeGate
    }
    typealias Server = NIOAsyncChannel<Accepted, Never>

    /// What serving connections needs besides the server channel.
    struct Context: Sendable {
        let logger: Logger
        let snapshots: (any SnapshotStore)?
        let handshake: RaftHandshake
        let limits: RaftConnectionLimits
        let refusals: RefusalReporter
        /// The known peers (empty while none are known), to refuse nodes that are not members.
        let peers: @Sendable () -> Set<NodeID>
        let onMessage: @Sendable (Message) -> Void
    }

    static func bind(host: String, port: Int, tls: RaftTLS?, group: any EventLoopGroup) async throws -> Server {
        try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // IPPROTO_TCP, not .socketOption: at SOL_SOCKET, TCP_NODELAY's number (1) is SO_DEBUG, which needs
            // CAP_NET_ADMIN, so the option failed with EACCES for every non-root user (the `tock` of the units).
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let gate = HandshakeGate()
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls.server))
                    }
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(RaftFrameDecoder(gate: gate)))
                    let connection = try Connection(
                        wrappingChannelSynchronously: channel,
                        configuration: .init(backPressureStrategy: .init(lowWatermark: 4, highWatermark: 32))
                    )
                    return Accepted(connection: connection, gate: gate)
                }
            }
    }

    /// Serves until the task is cancelled or the server channel closes.
    /// Connections are served concurrently, so `onMessage` may run on several
    /// tasks at once (one per connection).
    static func serve(_ server: Server, _ context: Context) async {
        let open = OpenConnections()
        do {
            try await server.executeThenClose { connections in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await accepted in connections {
                        let limit = context.limits.maxInbound(peers: context.peers().count)
                        guard open.count.add(1, ordering: .relaxed).newValue <= limit else {
                            open.count.subtract(1, ordering: .relaxed)
                            // Through executeThenClose, not channel.close(): an NIOAsyncChannel whose writer is
                            // never finished traps when it is deinitialized.
                            group.addTask { try? await accepted.connection.executeThenClose { _, _ in } }
                            context.refusals.report(
                                RaftPeerRefusal(.limit, "already \(limit) inbound connections"),
                                remote: remote(of: accepted.connection), outbound: false)
                            continue
                        }
                        group.addTask {
                            await serve(accepted, context)
                            open.count.subtract(1, ordering: .relaxed)
                        }
                    }
                }
            }
        } catch {
            if !Task.isCancelled {
                context.logger.error("raft listener stopped", metadata: ["error": "\(error)"])
            }
        }
    }

    /// The inbound connections being served, shared by the accepting loop and the connections' tasks.
    private final class OpenConnections: Sendable {
        let count = Atomic<Int>(0)
    }

    private static func remote(of connection: Connection) -> String {
        connection.channel.remoteAddress.map { "\($0)" } ?? "?"
    }

    private static func serve(_ accepted: Accepted, _ context: Context) async {
        let connection = accepted.connection
        let remote = remote(of: connection)
        let logger = context.logger
        // The snapshot whose data is arriving; a connection that ends meanwhile leaves nothing of it behind.
        var reception: SnapshotReception?
        do {
            try await connection.executeThenClose { inbound, writer in
                var frames = inbound.makeAsyncIterator()
                let peers = context.peers()
                let peer = try await RaftHandshake.withTimeout(
                    context.limits.handshakeTimeout, on: connection.channel, gate: accepted.gate
                ) {
                    try await context.handshake.accept(&frames, writer, gate: accepted.gate) {
                        peers.isEmpty || peers.contains($0)
                    }
                }
                logger.debug("raft peer connected", metadata: ["raft.remote": "\(remote)", "raft.peer": "\(peer)"])
                var assembler = ChunkAssembler()
                while let frame = try await frames.next() {
                    if let current = reception {
                        reception = nil
                        if let message = try await current.add(frame) {
                            logger.info(
                                "raft snapshot received",
                                metadata: [
                                    "raft.snapshot.index": "\(message.snapshot?.index ?? 0)",
                                    "raft.remote": "\(remote)",
                                ])
                            context.onMessage(message)
                        } else {
                            reception = current
                        }
                    } else if let message = try assembler.add(frame) {
                        // The connection is bound to the node that proved itself; its messages speak for it only.
                        guard message.from == peer else {
                            throw RaftTransportError.wrongSender("from \(message.from) on \(peer)'s connection")
                        }
                        if message.kind == .snapshot {
                            // A large snapshot takes a while; its start tells an operator why the node is not
                            // caught up yet.
                            logger.info(
                                "raft snapshot arriving",
                                metadata: [
                                    "raft.snapshot.index": "\(message.snapshot?.index ?? 0)",
                                    "raft.remote": "\(remote)",
                                ])
                            reception = try await SnapshotReception(message, store: context.snapshots)
                        } else {
                            context.onMessage(message)
                        }
                    }
                }
            }
            await reception?.abandon()
        } catch let refusal as RaftPeerRefusal {
            context.refusals.report(refusal, remote: remote, outbound: false)
        } catch RaftTransportError.closedDuringHandshake {
            // A port scan, a health check, or a peer that refused this node's answer (it logs why).
            logger.debug("raft inbound connection closed during the handshake", metadata: ["raft.remote": "\(remote)"])
        } catch {
            await reception?.abandon()
            if !Task.isCancelled {
                logger.warning(
                    "raft inbound connection closed", metadata: ["raft.remote": "\(remote)", "error": "\(error)"]
                )
            }
        }
    }
}
