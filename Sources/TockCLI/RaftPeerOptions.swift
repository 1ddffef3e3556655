import ArgumentParser
import Foundation
import TockRaftTransport
import TockShard

/// How a shard node's Raft port tells its peers from strangers: the cluster it belongs to and the secret the
/// cluster's nodes share.
struct RaftPeerOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "File holding the secret every node of the cluster shares (at least 16 bytes; make one with "
                + "head -c 32 /dev/urandom | base64 > FILE, mode 600). Each Raft connection starts by proving it; "
                + "without it a multi-node shard's Raft port is unauthenticated (a warning says so at start).",
            valueName: "file"))
    var clusterSecretFile: String?
    @Option(
        help: ArgumentHelp(
            "The cluster's name, checked in every Raft handshake: a node of another cluster is refused.",
            valueName: "name"))
    var clusterId: String = "tock"
    @Option(
        help: ArgumentHelp(
            "This node's certificate (PEM) for mutual TLS on the Raft port; with --raft-tls-key and --raft-tls-ca. "
                + "Every node of the shard must use TLS, with certificates signed by that CA.",
            valueName: "file"))
    var raftTlsCert: String?
    @Option(help: ArgumentHelp("The private key (PEM) of --raft-tls-cert.", valueName: "file"))
    var raftTlsKey: String?
    @Option(
        help: ArgumentHelp(
            "The CA (PEM) that signs every node's Raft certificate; peers without one are refused.", valueName: "file"))
    var raftTlsCa: String?

    /// The most a cluster id or node name may take, so that a hello stays within the handshake's frame limit.
    static let maxNameBytes = 128

    func apply(to cluster: inout RaftClusterConfiguration) throws {
        guard !clusterId.isEmpty, clusterId.utf8.count <= Self.maxNameBytes else {
            throw ValidationError("--cluster-id must be 1 to \(Self.maxNameBytes) bytes")
        }
        guard cluster.nodeID.utf8.count <= Self.maxNameBytes else {
            throw ValidationError("--node must be at most \(Self.maxNameBytes) bytes")
        }
        cluster.clusterID = clusterId
        if let clusterSecretFile { cluster.secret = try Self.loadSecret(path: clusterSecretFile) }
        cluster.tls = try tls()
    }

    private func tls() throws -> RaftTLS? {
        switch (raftTlsCert, raftTlsKey, raftTlsCa) {
        case (nil, nil, nil):
            return nil
        case (let cert?, let key?, let ca?):
            do {
                return try RaftTLS(certificatePath: cert, keyPath: key, caPath: ca)
            } catch {
                throw ValidationError("--raft-tls-cert/--raft-tls-key/--raft-tls-ca: \(error)")
            }
        default:
            throw ValidationError("--raft-tls-cert, --raft-tls-key and --raft-tls-ca go together")
        }
    }

    /// The file's bytes without trailing whitespace (the newline `echo` or an editor adds), so the same secret
    /// written two ways is the same key.
    static func loadSecret(path: String) throws -> RaftClusterSecret {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("--cluster-secret-file \(path) cannot be read")
        }
        var bytes = Array(data)
        while let last = bytes.last, [0x20, 0x09, 0x0A, 0x0D].contains(last) { bytes.removeLast() }
        do {
            return try RaftClusterSecret(bytes)
        } catch {
            throw ValidationError("--cluster-secret-file \(path): \(error)")
        }
    }
}
