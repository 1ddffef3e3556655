import ArgumentParser
import Foundation
import TockNATS

/// Where NATS is and how to reach it: the URL (`--nats-url`, which `NATS_URL` sets through `EnvironmentArguments`,
/// else the local default), TLS and credentials. Every command that connects to NATS takes this group.
struct NATSOptions: ParsableArguments {
    static let defaultURL = "nats://127.0.0.1:4222"

    @Option(
        name: .customLong("nats-url"),
        help: ArgumentHelp(
            "NATS server URL; several, comma-separated, for a cluster. May hold user:password@ (never logged). "
                + "Default: $NATS_URL, else \(defaultURL) (tock shard, executor and router read $TOCK_NATS_URL first).",
            valueName: "url"))
    var natsURLOption: String?
    @OptionGroup var security: NATSSecurityOptions

    var natsURL: String { natsURLOption ?? Self.defaultURL }

    func natsSecurity() throws -> NATSSecurity { try security.natsSecurity() }

    /// A connection for a one-shot command; the error names the server without its credentials.
    func connect(name: String) throws -> NATSConnection {
        let security = try natsSecurity()
        do {
            return try NATSConnection.connect(url: natsURL, name: name, security: security)
        } catch {
            throw CLIError("cannot connect to \(redactingNATSCredentials(natsURL)): \(error)")
        }
    }
}

/// TLS and credentials for NATS (see `NATSSecurity`): secrets are read from files, never taken on the command
/// line, where `ps` would show them.
struct NATSSecurityOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "PEM CA bundle that the NATS server's certificate must chain to; turns TLS on.",
            valueName: "file"))
    var natsCa: String?
    @Option(help: ArgumentHelp("PEM client certificate for NATS (with --nats-key); turns TLS on.", valueName: "file"))
    var natsCert: String?
    @Option(help: ArgumentHelp("PEM private key of --nats-cert.", valueName: "file"))
    var natsKey: String?
    @Flag(
        help: ArgumentHelp(
            "Require TLS to NATS, verified against the system roots unless --nats-ca is given (as a tls:// URL does)."))
    var natsTls = false
    @Option(help: ArgumentHelp("NATS credentials file (user JWT and nkey seed, operator mode).", valueName: "file"))
    var natsCreds: String?
    @Option(
        help: ArgumentHelp(
            "Public key (U...) of the NATS user nkey whose seed is --nats-nkey-seed.",
            valueName: "key"))
    var natsNkey: String?
    @Option(help: ArgumentHelp("File holding the NATS user nkey seed (SU...).", valueName: "file"))
    var natsNkeySeed: String?
    @Option(help: ArgumentHelp("NATS user (with --nats-password-file).", valueName: "name"))
    var natsUser: String?
    @Option(
        help: ArgumentHelp(
            "File holding the NATS user's password; trailing newlines are ignored.",
            valueName: "file"))
    var natsPasswordFile: String?
    @Option(
        help: ArgumentHelp(
            "File holding a NATS authentication token; trailing newlines are ignored.",
            valueName: "file"))
    var natsTokenFile: String?
    @Option(
        help: ArgumentHelp(
            "Subject prefix for this process's reply inboxes instead of _INBOX, so NATS permissions can keep each "
                + "role's replies private (nats/secure.conf).", valueName: "subject"))
    var natsInboxPrefix: String?

    func natsSecurity() throws -> NATSSecurity {
        var security = NATSSecurity()
        security.caFile = natsCa
        security.certificateFile = natsCert
        security.keyFile = natsKey
        security.requireTLS = natsTls
        security.credentialsFile = natsCreds
        security.nkeyPublicKey = natsNkey
        security.nkeySeedFile = natsNkeySeed
        security.user = natsUser
        security.password = try natsPasswordFile.map { try readSecretFile($0, option: "--nats-password-file") }
        security.inboxPrefix = natsInboxPrefix
        security.token = try natsTokenFile.map { try readSecretFile($0, option: "--nats-token-file") }
        do {
            try security.validate()
        } catch let error as NATSError {
            throw ValidationError(error.message)
        }
        return security
    }
}

/// A secret kept in a file, without the trailing newline an editor or `echo` adds.
func readSecretFile(_ path: String, option: String) throws -> String {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw ValidationError("\(option): cannot read \(path)")
    }
    var text = String(decoding: data, as: UTF8.self)
    while text.last == "\n" || text.last == "\r" { text.removeLast() }
    guard !text.isEmpty else { throw ValidationError("\(option): \(path) is empty") }
    return text
}
