import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization
import TockModel
import TockRaft
import TockWire

/// The outbound link to one peer: a bounded queue and one task that drains it
/// into one TCP connection, connecting lazily (when the first message waits)
/// and reconnecting with `ReconnectBackoff`. Each connection starts with the
/// client's side of the handshake: nothing is written to a peer that has not
/// proved itself.
///
/// Messages are written in queue order. A message being written when the
/// connection fails is lost; Raft retransmits what matters.
final class PeerConnection: Sendable {
    let peer: NodeID
    let host: String
    let port: Int

    private let queue: AsyncStream<Message>
    private let queueInput: AsyncStream<Message>.Continuation
    private let group: any EventLoopGroup
    private let logger: Logger
    private let snapshots: (any SnapshotStore)?
    private let handshake: RaftHandshake
    private let handshakeTimeout: Duration
    private let refusals: RefusalReporter
    private let tls: RaftTLS?
    private let live = Mutex(Live())

    private struct Live {
        var task: Task<Void, Never>?
        /// The connection being written, so `stop()` can close it under a blocked write.
        var channel: (any Channel)?
        var stopped = false
    }

    init(
        peer: NodeID, host: String, port: Int, queueLimit: Int, group: any EventLoopGroup, logger: Logger,
        snapshots: (any SnapshotStore)?, handshake: RaftHandshake, handshakeTimeout: Duration,
        refusals: RefusalReporter, tls: RaftTLS?
    ) {
        self.tls = tls
        self.peer = peer
        self.handshake = handshake
        self.handshakeTimeout = handshakeTimeout
        self.refusals = refusals
        self.snapshots = snapshots
        self.host = host
        self.port = port
        self.group = group
        var logger = logger
        logger[metadataKey: "raft.peer"] = "\(peer)"
        self.logger = logger
        (queue, queueInput) = AsyncStream.makeStream(
            of: Message.self, bufferingPolicy: .bufferingOldest(max(queueLimit, 1))
        )
    }

    /// Never blocks. False when the queue is full or the link is stopped: the
    /// message is dropped and the caller counts it.
    func enqueue(_ message: Message) -> Bool {
        if case .enqueued = queueInput.yield(message) { return true }
        return false
    }

    /// Starts the sending task; later calls, and calls after `stop()`, do nothing.
    func start() {
        live.withLock { live in
            guard live.task == nil, !live.stopped else { return }
            live.task = Task { await self.run() }
        }
    }

    /// Drops what is queued, closes the connection and ends the task. The
    /// returned task (nil if never started) finishes soon after.
    func stop() -> Task<Void, Never>? {
        let (task, channel) = live.withLock { live in
            live.stopped = true
            return (live.task, live.channel)
        }
        queueInput.finish()
        task?.cancel()
        channel?.close(promise: nil)
        return task
    }

    private func run() async {
        var iterator = queue.makeAsyncIterator()
        var backoff = ReconnectBackoff()
        var encoder = RaftFrameEncoder()
        // Taken from the queue but not yet written: survives a failed connect.
        var pending: Message?
        var failures = 0

        while !Task.isCancelled {
            if pending == nil {
                guard let next = await iterator.next() else { return }
                pending = next
            }

            let connection: NIOAsyncChannel<RaftFrame, ByteBuffer>
            let gate = HandshakeGate()
            do {
                connection = try await connect(gate: gate)
            } catch {
                failures += 1
                // The first failure is worth a warning; a peer that stays down would flood the log.
                let level: Logger.Level = failures == 1 ? .warning : .debug
                logger.log(
                    level: level, "raft peer unreachable",
                    metadata: [
                        "raft.peer.address": "\(host):\(port)", "error": "\(error)", "raft.failures": "\(failures)",
                    ])
                do { try await Task.sleep(for: backoff.next()) } catch { return }
                continue
            }
            guard register(connection.channel) else {
                connection.channel.close(promise: nil)
                return
            }

            var wrote = 0
            do {
                try await connection.executeThenClose { inbound, outbound in
                    var frames = inbound.makeAsyncIterator()
                    // A new seal (key and sequence numbers) for every connection; none without a secret.
                    encoder.seal = try await RaftHandshake.withTimeout(
                        handshakeTimeout, on: connection.channel, gate: gate
                    ) {
                        try await handshake.connect(to: peer, &frames, outbound, gate: gate)
                    }
                    while !Task.isCancelled {
                        let message: Message
                        if let waiting = pending {
                            message = waiting
                            pending = nil
                        } else {
                            guard let next = await iterator.next() else { return }
                            message = next
                        }
                        // The peer closed (or restarted) while the link was idle:
                        // keep the message for the next connection.
                        guard connection.channel.isActive else {
                            pending = message
                            return
                        }
                        if message.kind == .snapshot {
                            try await writeSnapshot(message, to: outbound, encoder: &encoder)
                        } else {
                            try await outbound.write(contentsOf: encoder.frames(for: message))
                        }
                        wrote += 1
                    }
                }
            } catch let refusal as RaftPeerRefusal {
                refusals.report(refusal, remote: "\(host):\(port)", outbound: true)
            } catch RaftTransportError.closedDuringHandshake {
                failures += 1
                // The peer refused this node (it logs why); a peer that keeps refusing would flood the log.
                let level: Logger.Level = failures == 1 ? .warning : .debug
                logger.log(
                    level: level, "raft peer closed the connection during the handshake",
                    metadata: [
                        "raft.peer.address": "\(host):\(port)", "raft.failures": "\(failures)",
                        "hint": "check that both nodes have the same --cluster-secret-file, --cluster-id and --shard",
                    ])
            } catch {
                if !Task.isCancelled {
                    logger.info("raft peer connection lost", metadata: ["error": "\(error)"])
                }
            }
            unregister(connection.channel)

            if wrote > 0 {
                failures = 0
                backoff.reset()
            } else {
                // Accepted but closed before carrying anything (not a Raft node?):
                // back off rather than spin.
                do { try await Task.sleep(for: backoff.next()) } catch { return }
            }
        }
    }

    /// The snapshot message and then its data, streamed from the store. A snapshot whose data this node no longer
    /// holds is dropped; a failure while streaming closes the connection, so the receiver discards what it got.
    private func writeSnapshot(
        _ message: Message, to outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, encoder: inout RaftFrameEncoder
    ) async throws {
        let source: (any SnapshotSource)?
        do {
            source = try await SnapshotSending.open(message, store: snapshots)
        } catch {
            logger.warning(
                "raft snapshot not sent: its data is gone",
                metadata: [
                    "raft.snapshot.index": "\(message.snapshot?.index ?? 0)", "error": "\(error)",
                ])
            return
        }
        do {
            try await outbound.write(contentsOf: encoder.frames(for: message))
            try await SnapshotSending.writeData(from: source, to: outbound, encoder: &encoder)
        } catch {
            await source?.close()
            throw error
        }
        await source?.close()
        logger.info("raft snapshot sent", metadata: ["raft.snapshot.index": "\(message.snapshot?.index ?? 0)"])
    }

    private func connect(gate: HandshakeGate) async throws -> NIOAsyncChannel<RaftFrame, ByteBuffer> {
        try await ClientBootstrap(group: group)
            .connectTimeout(.seconds(2))
            // IPPROTO_TCP, not .socketOption: at SOL_SOCKET, TCP_NODELAY's number (1) is SO_DEBUG, which needs
            // CAP_NET_ADMIN, so the option failed with EACCES for every non-root user (the `tock` of the units).
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connect(host: host, port: port) { [tls] channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: tls.client, serverHostname: nil))
                    }
                    // Only the server's hello and proof are read, so every frame is held to the handshake's limit;
                    // after them the inbound side only notices the peer closing the connection.
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(
                            RaftFrameDecoder(maxPayload: RaftFrameLimits.maxHandshakePayload, gate: gate)))
                    return try NIOAsyncChannel<RaftFrame, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
    }

    /// False when `stop()` came first: the caller must close the channel.
    private func register(_ channel: any Channel) -> Bool {
        live.withLock { live in
            guard !live.stopped else { return false }
            live.channel = channel
            return true
        }
    }

    private func unregister(_ channel: any Channel) {
        live.withLock { live in
            if live.channel === channel { live.channel = nil }
        }
    }
}
