import Logging
import NIOCore
import NIOPosix
import TockRaft
import TockWire

/// The listening side: accepts connections from peers, decodes their frames,
/// reassembles chunked messages and hands each message to `onMessage`, in
/// order per connection.
///
/// A connection whose frames are too large, do not decode or break the chunk
/// protocol is logged and closed; the listener and other connections go on.
enum InboundListener {
    typealias Connection = NIOAsyncChannel<RaftFrame, Never>
    typealias Server = NIOAsyncChannel<Connection, Never>

    static func bind(host: String, port: Int, group: any EventLoopGroup) async throws -> Server {
        try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
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
        _ server: Server, logger: Logger, onMessage: @escaping @Sendable (Message) -> Void
    ) async {
        do {
            try await server.executeThenClose { connections in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await connection in connections {
                        group.addTask {
                            await serve(connection, logger: logger, onMessage: onMessage)
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
        _ connection: Connection, logger: Logger, onMessage: @Sendable (Message) -> Void
    ) async {
        let remote = connection.channel.remoteAddress.map { "\($0)" } ?? "?"
        do {
            try await connection.executeThenClose { frames in
                var assembler = ChunkAssembler()
                for try await frame in frames {
                    if let message = try assembler.add(frame) {
                        onMessage(message)
                    }
                }
            }
        } catch {
            if !Task.isCancelled {
                logger.warning(
                    "raft inbound connection closed", metadata: ["raft.remote": "\(remote)", "error": "\(error)"]
                )
            }
        }
    }
}
