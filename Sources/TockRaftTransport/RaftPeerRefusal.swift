/// Why a handshake refused the other side of a Raft connection. The connection is closed; nothing it carried
/// reaches Raft.
public struct RaftPeerRefusal: Error, CustomStringConvertible, Sendable {
    public enum Reason: String, CaseIterable, Sendable {
        /// Another protocol version.
        case version
        /// Another cluster id.
        case cluster
        /// Another shard of the cluster.
        case shard
        /// A node that is not a member (or this node itself), or not the node this one meant to reach.
        case node
        /// A proof that does not verify: another secret, or a secret on one side only.
        case secret
        /// Not a handshake: garbage, a frame out of place, a nonce of the wrong size, a frame over the handshake's
        /// size limit.
        case malformed
        /// With `--raft-tls-*`: the TLS handshake failed (not TLS, no certificate, one of another CA).
        case tls
        /// The handshake did not finish within the time allowed.
        case timeout
        /// More inbound connections than allowed.
        case limit
    }

    public let reason: Reason
    public let detail: String

    public init(_ reason: Reason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }

    public var description: String { "\(reason.rawValue): \(detail)" }
}
