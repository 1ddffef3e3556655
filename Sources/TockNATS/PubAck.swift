/// The server's acknowledgement that a JetStream publish was stored.
public struct PubAck: Sendable, Equatable {
    public let stream: String
    public let sequence: UInt64
    /// True when the server recognised the `Nats-Msg-Id` within the stream's duplicate window
    /// and did not store the message again; `sequence` is then that of the original.
    public let duplicate: Bool

    public init(stream: String, sequence: UInt64, duplicate: Bool) {
        self.stream = stream
        self.sequence = sequence
        self.duplicate = duplicate
    }
}
