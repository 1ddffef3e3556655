import TockModel
import TockWire

/// Why the transport refused to start, or why it closed an inbound connection
/// (those are logged, never thrown to the caller).
public enum RaftTransportError: Error, Equatable, Sendable {
    /// `start()` was called a second time.
    case alreadyStarted
    /// `start()` was called on, or raced with, `shutdown()`.
    case shutDown
    /// An inbound frame announced a payload over `RaftFrameLimits.maxReceivedFramePayload`.
    case frameTooLarge(Int)
    /// A chunk stream grew past `RaftFrameLimits.maxReassembledMessage`.
    case messageTooLarge(Int)
    /// A chunk that does not continue the stream in progress, or a whole
    /// message in the middle of a stream.
    case chunkOutOfOrder(String)
    /// A frame payload or a reassembled message that does not decode.
    case undecodable(WireError)
    /// A snapshot's data arrived out of order, or its size or checksum do not match what was sent.
    case snapshotDataBroken(String)
    /// The other side closed the connection before the handshake finished (it refused this node, or is not one).
    case closedDuringHandshake
    /// A hello or proof after the handshake.
    case handshakeFrameOutOfPlace
    /// A frame after the handshake whose MAC does not verify: injected, replayed, reordered or damaged.
    case frameNotAuthenticated
    /// A message whose `from` is not the node that opened the connection.
    case wrongSender(String)
}
