/// Why a message on a Tock subject was refused: the `reason` label of `tock_shard_messages_rejected_total` and
/// `tock_executor_messages_rejected_total`. A fixed set, so the label stays small.
public enum MessageRejection: String, Sendable, CaseIterable {
    /// A request with no reply subject: there is nobody to answer, so it is dropped without being served.
    case noReply = "no_reply"
    /// Larger than the subject allows.
    case tooLarge = "too_large"
    /// A header block that cannot be read.
    case headers
    /// Not the JSON or protobuf message the subject carries.
    case undecodable
    /// On a subject that does not match what it holds: another shard's or another priority's.
    case subject
    /// Decodes, but holds a value Tock never sends.
    case invalid
}
