import TockModel

/// Why bytes from the wire or the Raft log could not become a Tock value.
///
/// Decoding never crashes on hostile input: every protobuf-c failure and every
/// value the schema allows but Tock cannot use ends up here.
public enum WireError: Error, Equatable, Sendable {
    /// protobuf-c could not unpack the bytes, or a string was not UTF-8.
    /// The payload names the message (and field, when known).
    case malformed(String)
    /// The bytes parsed, but a field Tock needs is absent or holds a value this
    /// build does not know (an unset oneof, a zero or future enum value, an
    /// absent sub-message). The payload is `Message.field`.
    case missingField(String)
}
