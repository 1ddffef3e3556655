import Logging
import NIOCore
import NIOPosix
import TockRaft
import TockWire

/// The listening side: accepts connections from peers, decodes their frames,
/// reassembles chunked messages, receives snapshot data into the store, and
/// hands each message to `onMessage`, in order per connection.
///
/// A connection whose frames are too large, do not decode or break the chunk
/// protocol is logged and closed; the listener and other connections go on.
enum InboundListener {
    typealias Connection = NIOAsyncChannel<RaftFrame, Never>
    typealias Server = NIOAsyncChannel<Connection, Never>

    static func bind(host: String, port: Int, group: any EventLoopGroup) async throws -> Server {
        try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // IPPROTO_TCP, not .socketOption: at SOL_SOCKET, TCP_NODELAY's number (1) is SO_DEBUG, which needs
            // CAP_NET_ADMIN, so the option failed with EACCES for every non-root user (the `tock` of the units).
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(RaftFrameDecoder()))
                    return try Connection(
                        wrappingChannelSynchronously: channel,
                        configuration: .init(backPressureStrategy: .init(lowWatermark: 4, highWatermark: 32))
                    )
                }
            }
    }

    /// Serves until the task is cancelled or the server channel closes.
    /// Connections are served concurrently, so `onMessage` may run on several
    /// tasks at once (one per connection).
    static func serve(
        _ server: Server, logger: Logger, snapshots: (any SnapshotStore)?,
        onMessage: @escaping @Sendable (Message) -> Void
    ) async {
        do {
            try await server.executeThenClose { connections in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await connection in connections {
                        group.addTask {
                            await serve(connection, logger: logger, snapshots: snapshots, onMessage: onMessage)
                        }
                    }
                }
            }
        } catch {
            if !Task.isCancelled {
                logger.error("raft listener stopped", metadata: ["error": "\(error)"])
            }
        }
    }

    private static func serve(
        _ connection: Connection, logger: Logger, snapshots: (any SnapshotStore)?,
        onMessage: @Sendable (Message) -> Void
    ) async {
        let remote = connection.channel.remoteAddress.map { "\($0)" } ?? "?"
        // The snapshot whose data is arriving; a connection that ends meanwhile leaves nothing of it behind.
        var reception: SnapshotReception?
        do {
            try await connection.executeThenClose { frames in
                var assembler = ChunkAssembler()
                for try await frame in frames {
                    if let current = reception {
                        reception = nil
                        if let message = try await current.add(frame) {
                            logger.info("raft snapshot received", metadata: [
                                "raft.snapshot.index": "\(message.snapshot?.index ?? 0)", "raft.remote": "\(remote)",
                            ])
                            onMessage(message)
                        } else {
                            reception = current
                        }
                    } else if let message = try assembler.add(frame) {
                        if message.kind == .snapshot {
                            reception = try await SnapshotReception(message, store: snapshots)
                        } else {
                            onMessage(message)
                        }
                    }
                }
            }
            await reception?.abandon()
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
