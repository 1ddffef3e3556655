import NIOSSL

/// Mutual TLS on the Raft port (`--raft-tls-cert`, `--raft-tls-key`, `--raft-tls-ca`): every connection is
/// encrypted, and each side must present a certificate signed by the cluster's CA. Host names are not checked
/// (peers are addressed by IP as often as by name); the handshake inside the TLS connection still names the
/// cluster, shard and node, and proves the cluster secret when there is one.
public struct RaftTLS: Sendable {
    let server: NIOSSLContext
    let client: NIOSSLContext

    /// Reads PEM files: this node's certificate (chain), its private key, and the CA that signs every node's.
    public init(certificatePath: String, keyPath: String, caPath: String) throws {
        let chain = try NIOSSLCertificate.fromPEMFile(certificatePath).map { NIOSSLCertificateSource.certificate($0) }
        let key = NIOSSLPrivateKeySource.privateKey(try NIOSSLPrivateKey(file: keyPath, format: .pem))
        let roots = NIOSSLTrustRoots.certificates(try NIOSSLCertificate.fromPEMFile(caPath))

        var server = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: key)
        var client = TLSConfiguration.makeClientConfiguration()
        client.certificateChain = chain
        client.privateKey = key
        server.trustRoots = roots
        client.trustRoots = roots
        // A verifying server requires the client's certificate: mutual TLS.
        server.certificateVerification = .noHostnameVerification
        client.certificateVerification = .noHostnameVerification
        server.minimumTLSVersion = .tlsv13
        client.minimumTLSVersion = .tlsv13
        self.server = try NIOSSLContext(configuration: server)
        self.client = try NIOSSLContext(configuration: client)
    }
}
