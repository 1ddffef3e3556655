import CNats

/// How a process proves itself to nats-server and checks the server: TLS (a CA to trust, a client certificate)
/// and one kind of credentials, as cnats supports them. The default is a plain connection with no credentials
/// (or the user and password in the URL).
///
/// `description` names what is set, never a secret, so a configuration can be logged whole.
public struct NATSSecurity: Sendable, Equatable, CustomStringConvertible {
    /// PEM CA bundle the server's certificate must chain to (instead of the system roots).
    public var caFile: String?
    /// PEM client certificate chain and its key, for servers that verify clients (`verify: true`).
    public var certificateFile: String?
    public var keyFile: String?
    /// TLS even without a CA or client certificate (the system roots then verify the server); also implied by
    /// a `tls://` URL, which cnats handles itself.
    public var requireTLS = false
    /// A `.creds` file (user JWT and nkey seed), for servers in operator mode.
    public var credentialsFile: String?
    /// A user nkey: its public key (`U...`) and the file holding its seed (`SU...`).
    public var nkeyPublicKey: String?
    public var nkeySeedFile: String?
    /// User and password, when not given in the URL.
    public var user: String?
    public var password: String?
    public var token: String?
    /// Replaces `_INBOX` in the subjects replies come back on (requests, JetStream acks and fetches), so
    /// nats-server permissions can give each role its own inboxes: a user allowed to subscribe to `_INBOX.>`
    /// would otherwise see the runs fetched by executors. No wildcards.
    public var inboxPrefix: String?

    public init() {}

    public var usesTLS: Bool { requireTLS || caFile != nil || certificateFile != nil }

    /// What a reader of the logs may know: which mechanisms are in use, not their secrets.
    public var description: String {
        var parts: [String] = []
        if usesTLS { parts.append("tls") }
        if let caFile { parts.append("ca=\(caFile)") }
        if let certificateFile { parts.append("cert=\(certificateFile)") }
        if credentialsFile != nil { parts.append("creds") }
        if let nkeyPublicKey { parts.append("nkey=\(nkeyPublicKey)") }
        if let user { parts.append("user=\(user)") }
        if token != nil { parts.append("token") }
        if let inboxPrefix { parts.append("inbox=\(inboxPrefix)") }
        return parts.isEmpty ? "none" : parts.joined(separator: " ")
    }

    /// Problems a caller can name before connecting (cnats would report some of them only as a failed connect).
    public func validate() throws {
        if (certificateFile == nil) != (keyFile == nil) {
            throw NATSError.local(NATS_INVALID_ARG, "a NATS client certificate needs both the certificate and its key")
        }
        if (nkeyPublicKey == nil) != (nkeySeedFile == nil) {
            throw NATSError.local(NATS_INVALID_ARG, "a NATS nkey needs both its public key and its seed file")
        }
        let kinds = [credentialsFile != nil, nkeySeedFile != nil, user != nil, token != nil].filter { $0 }.count
        if kinds > 1 {
            throw NATSError.local(
                NATS_INVALID_ARG,
                "give one kind of NATS credentials: a creds file, an nkey, a user or a token")
        }
        if let inboxPrefix, inboxPrefix.isEmpty || inboxPrefix.contains(where: { "*> \t".contains($0) }) {
            throw NATSError.local(NATS_INVALID_ARG, "a NATS inbox prefix must be a subject without wildcards")
        }
        if password != nil && user == nil {
            throw NATSError.local(NATS_INVALID_ARG, "a NATS password needs a user")
        }
    }

    /// Sets TLS and credentials on cnats options.
    func apply(to options: OpaquePointer?) throws {
        try validate()
        if usesTLS { try natsCheck(natsOptions_SetSecure(options, true), "enable NATS TLS") }
        if let caFile {
            try natsCheck(natsOptions_LoadCATrustedCertificates(options, caFile), "load NATS CA file \(caFile)")
        }
        if let certificateFile, let keyFile {
            try natsCheck(
                natsOptions_LoadCertificatesChain(options, certificateFile, keyFile),
                "load NATS client certificate \(certificateFile)")
        }
        if let credentialsFile {
            try natsCheck(
                natsOptions_SetUserCredentialsFromFiles(options, credentialsFile, nil),
                "load NATS credentials file \(credentialsFile)")
        }
        if let nkeyPublicKey, let nkeySeedFile {
            try natsCheck(
                natsOptions_SetNKeyFromSeed(options, nkeyPublicKey, nkeySeedFile),
                "load NATS nkey seed \(nkeySeedFile)")
        }
        if let user {
            try natsCheck(natsOptions_SetUserInfo(options, user, password), "set NATS user")
        }
        if let token {
            try natsCheck(natsOptions_SetToken(options, token), "set NATS token")
        }
        if let inboxPrefix {
            try natsCheck(
                natsOptions_SetCustomInboxPrefix(options, inboxPrefix),
                "set NATS inbox prefix \(inboxPrefix)")
        }
    }
}
