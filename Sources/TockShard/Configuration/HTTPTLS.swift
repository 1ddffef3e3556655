import NIOSSL

/// HTTPS for the job API: the certificate a node or router serves with, and the CA its calls to other nodes
/// (forwarding to a leader, routing to a shard) trust when those nodes' addresses are `https://`. Files are read
/// once, when this is made, so a bad path or PEM fails at start rather than on the first call.
public struct HTTPTLS: Sendable {
    /// nil: the API is plain HTTP.
    public let server: TLSConfiguration?
    /// What calls to `https://` peers verify against: the CA bundle given, else the system's trust roots.
    public let peerClient: TLSConfiguration
    /// The CA bundle's path, naming `peerClient` (nil: system roots).
    public let peerCAFile: String?

    /// Plain HTTP; calls to `https://` peers trust the system roots.
    public init() {
        server = nil
        peerClient = .makeClientConfiguration()
        peerCAFile = nil
    }

    /// `certificateFile` (PEM, the server's certificate first, then intermediates) and `keyFile` (PEM) serve
    /// HTTPS; `caFile` (PEM bundle) replaces the system roots for calls to peers.
    public init(certificateFile: String?, keyFile: String?, caFile: String?) throws(HTTPTLSError) {
        switch (certificateFile, keyFile) {
        case (nil, nil): server = nil
        case (let certificateFile?, let keyFile?):
            let chain: [NIOSSLCertificate]
            let key: NIOSSLPrivateKey
            do {
                chain = try NIOSSLCertificate.fromPEMFile(certificateFile)
            } catch {
                throw HTTPTLSError("cannot read the certificate \(certificateFile): \(error)")
            }
            guard !chain.isEmpty else { throw HTTPTLSError("no PEM certificate in \(certificateFile)") }
            do {
                key = try NIOSSLPrivateKey(file: keyFile, format: .pem)
            } catch {
                throw HTTPTLSError("cannot read the private key \(keyFile): \(error)")
            }
            server = .makeServerConfiguration(
                certificateChain: chain.map { .certificate($0) },
                privateKey: .privateKey(key))
        default:
            throw HTTPTLSError("HTTPS needs both a certificate and its private key")
        }
        var client = TLSConfiguration.makeClientConfiguration()
        if let caFile {
            do {
                let roots = try NIOSSLCertificate.fromPEMFile(caFile)
                guard !roots.isEmpty else { throw HTTPTLSError("no PEM certificate in \(caFile)") }
                client.trustRoots = .certificates(roots)
            } catch let error as HTTPTLSError {
                throw error
            } catch {
                throw HTTPTLSError("cannot read the CA bundle \(caFile): \(error)")
            }
        }
        peerClient = client
        peerCAFile = caFile
    }
}

/// A certificate, key or CA file that cannot be used, named.
public struct HTTPTLSError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
