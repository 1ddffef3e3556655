import ArgumentParser
import TockShard

/// HTTPS for `tock shard`, `tock router` and `tock dev`: the API's certificate, and the CA that calls to
/// `https://` peers (forwarding to a leader, routing to a shard) verify against.
struct TLSOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "PEM certificate chain to serve the HTTP API with (HTTPS only, with --tls-key); peers then list this "
                + "node as https://HOST:PORT.", valueName: "file"))
    var tlsCert: String?
    @Option(help: ArgumentHelp("PEM private key of --tls-cert.", valueName: "file"))
    var tlsKey: String?
    @Option(
        help: ArgumentHelp(
            "PEM CA bundle that https:// peers' certificates must chain to, instead of the system's trust roots.",
            valueName: "file"))
    var tlsCa: String?

    func httpTLS() throws -> HTTPTLS {
        do {
            return try HTTPTLS(certificateFile: tlsCert, keyFile: tlsKey, caFile: tlsCa)
        } catch {
            throw ValidationError("--tls-cert/--tls-key/--tls-ca: \(error.description)")
        }
    }
}
