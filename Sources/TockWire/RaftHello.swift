import TockModel

/// The first frame each side of a Raft connection sends (`tock.v1.RaftHello`): who it is, in which cluster and
/// shard, and a fresh nonce that the proofs of the handshake cover.
public struct RaftHello: Equatable, Sendable {
    public var version: UInt32
    public var clusterID: String
    public var shard: UInt32
    /// The sender's node ID.
    public var node: String
    /// In the client's hello, the node it means to reach; empty in the server's.
    public var to: String
    public var nonce: [UInt8]

    public init(version: UInt32, clusterID: String, shard: UInt32, node: String, to: String, nonce: [UInt8]) {
        self.version = version
        self.clusterID = clusterID
        self.shard = shard
        self.node = node
        self.to = to
        self.nonce = nonce
    }
}

/// One side's answer to the other's hello (`tock.v1.RaftProof`): a MAC of both hellos under the cluster secret,
/// empty without a secret.
public struct RaftProof: Equatable, Sendable {
    public var mac: [UInt8]

    public init(mac: [UInt8]) {
        self.mac = mac
    }
}
