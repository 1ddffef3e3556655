/// What a node proves and checks in the handshake that starts every Raft connection: the cluster and shard it
/// belongs to, and the cluster secret the nodes share (none: the handshake still checks the names, but anyone who
/// can reach the port can claim them).
public struct RaftPeerIdentity: Sendable {
    public var clusterID: String
    public var shard: UInt32
    public var secret: RaftClusterSecret?

    public init(clusterID: String = "tock", shard: UInt32 = 0, secret: RaftClusterSecret? = nil) {
        self.clusterID = clusterID
        self.shard = shard
        self.secret = secret
    }
}

/// The key every node of a cluster holds (`--cluster-secret-file`); the handshake proves knowledge of it without
/// sending it.
public struct RaftClusterSecret: Sendable {
    /// Shorter secrets are refused: 16 bytes is the least that cannot be guessed offline from one recorded handshake.
    public static let minimumBytes = 16

    let bytes: [UInt8]

    public init(_ bytes: [UInt8]) throws(RaftClusterSecretError) {
        guard bytes.count >= Self.minimumBytes else { throw RaftClusterSecretError(count: bytes.count) }
        self.bytes = bytes
    }
}

public struct RaftClusterSecretError: Error, CustomStringConvertible, Sendable {
    public let count: Int

    public var description: String {
        "the cluster secret has \(count) bytes; it needs at least \(RaftClusterSecret.minimumBytes) "
            + "(e.g. head -c 32 /dev/urandom | base64)"
    }
}
