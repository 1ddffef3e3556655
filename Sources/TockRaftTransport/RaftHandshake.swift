import Crypto
import TockModel
import TockRaft
import TockWire

/// The pure part of the handshake that opens every Raft connection, before any Raft frame is accepted:
///
///     client → server   hello {version, cluster id, shard, node, to, nonce}
///     server → client   hello {version, cluster id, shard, node, nonce}
///     client → server   proof = HMAC-SHA256(secret, "client" ‖ both hellos)
///     server → client   proof = HMAC-SHA256(secret, "server" ‖ both hellos)   (only once the client's verified)
///
/// Each side checks the other's names first (version, cluster, shard, node), then its proof, in constant time. Both
/// nonces are fresh, so a recorded proof is worth nothing on another connection; the role in the MAC keeps one
/// side's proof from serving as the other's. The server proves itself only to a client that proved itself.
struct RaftHandshake: Sendable {
    static let version: UInt32 = 1
    static let nonceBytes = 32

    enum Role: String {
        case client
        case server
        /// Not a proof: labels the key of the frames' MACs.
        case session
    }

    let me: NodeID
    let identity: RaftPeerIdentity

    func hello(to peer: NodeID?) -> RaftHello {
        var generator = SystemRandomNumberGenerator()
        let nonce = (0..<Self.nonceBytes).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return RaftHello(
            version: Self.version, clusterID: identity.clusterID, shard: identity.shard, node: me,
            to: peer ?? "", nonce: nonce)
    }

    /// Checks a client's hello: it must be of this cluster and shard, mean to reach this node, and come from a
    /// member other than this node (`isMember`, when membership is known).
    func checkClient(_ hello: RaftHello, isMember: (NodeID) -> Bool) throws(RaftPeerRefusal) {
        try checkCommon(hello)
        guard hello.to == me else { throw RaftPeerRefusal(.node, "meant for node \"\(hello.to)\", this is \(me)") }
        guard hello.node != me else { throw RaftPeerRefusal(.node, "claims to be this node (\(me))") }
        guard isMember(hello.node) else { throw RaftPeerRefusal(.node, "node \"\(hello.node)\" is not a member") }
    }

    /// Checks a server's hello: it must be of this cluster and shard, and be the node this one meant to reach.
    func checkServer(_ hello: RaftHello, expected peer: NodeID) throws(RaftPeerRefusal) {
        try checkCommon(hello)
        guard hello.node == peer else {
            throw RaftPeerRefusal(.node, "answered as node \"\(hello.node)\", expected \(peer)")
        }
    }

    private func checkCommon(_ hello: RaftHello) throws(RaftPeerRefusal) {
        guard hello.version == Self.version else {
            throw RaftPeerRefusal(.version, "protocol version \(hello.version), this node speaks \(Self.version)")
        }
        guard hello.nonce.count == Self.nonceBytes else {
            throw RaftPeerRefusal(.malformed, "a nonce of \(hello.nonce.count) bytes")
        }
        guard hello.clusterID == identity.clusterID else {
            throw RaftPeerRefusal(.cluster, "cluster \"\(hello.clusterID)\", this is \"\(identity.clusterID)\"")
        }
        guard hello.shard == identity.shard else {
            throw RaftPeerRefusal(.shard, "shard \(hello.shard), this is shard \(identity.shard)")
        }
        guard !hello.node.isEmpty else { throw RaftPeerRefusal(.node, "no node id") }
    }

    /// This side's proof, as `role`, over both hellos; empty without a secret.
    func proof(as role: Role, client: RaftHello, server: RaftHello) -> RaftProof {
        guard let secret = identity.secret else { return RaftProof(mac: []) }
        let code = HMAC<SHA256>.authenticationCode(
            for: Self.transcript(role, client: client, server: server), using: SymmetricKey(data: secret.bytes))
        return RaftProof(mac: Array(code))
    }

    /// The seal of the frames the client sends after this handshake: a key of its own, derived from the secret
    /// and both hellos. nil without a secret.
    func seal(client: RaftHello, server: RaftHello) -> FrameSeal? {
        guard let secret = identity.secret else { return nil }
        let key = HMAC<SHA256>.authenticationCode(
            for: Self.transcript(.session, client: client, server: server), using: SymmetricKey(data: secret.bytes))
        return FrameSeal(key: Array(key))
    }

    /// Checks the other side's proof, made as `role`. Without a secret only an empty proof passes, so that a
    /// cluster whose nodes disagree on having a secret fails loudly rather than half works.
    func verify(_ proof: RaftProof, madeAs role: Role, client: RaftHello, server: RaftHello)
        throws(RaftPeerRefusal)
    {
        guard let secret = identity.secret else {
            guard proof.mac.isEmpty else {
                throw RaftPeerRefusal(.secret, "the \(role.rawValue) has a cluster secret, this node has none")
            }
            return
        }
        guard !proof.mac.isEmpty else {
            throw RaftPeerRefusal(.secret, "the \(role.rawValue) has no cluster secret, this node has one")
        }
        guard
            HMAC<SHA256>.isValidAuthenticationCode(
                proof.mac, authenticating: Self.transcript(role, client: client, server: server),
                using: SymmetricKey(data: secret.bytes))
        else {
            throw RaftPeerRefusal(.secret, "the \(role.rawValue)'s proof does not verify: another cluster secret")
        }
    }

    /// What a proof covers: a label, the role, and every field of both hellos, each length-prefixed so that no two
    /// different handshakes give the same bytes. Built here rather than from the protobuf encoding, which need not
    /// be the same bytes on both sides.
    static func transcript(_ role: Role, client: RaftHello, server: RaftHello) -> [UInt8] {
        var bytes: [UInt8] = []
        func field(_ value: [UInt8]) {
            append(UInt32(truncatingIfNeeded: value.count))
            bytes += value
        }
        func append(_ value: UInt32) {
            bytes += withUnsafeBytes(of: value.bigEndian, Array.init)
        }
        field(Array("tock-raft-handshake".utf8))
        field(Array(role.rawValue.utf8))
        for hello in [client, server] {
            append(hello.version)
            field(Array(hello.clusterID.utf8))
            append(hello.shard)
            field(Array(hello.node.utf8))
            field(Array(hello.to.utf8))
            field(hello.nonce)
        }
        return bytes
    }
}
