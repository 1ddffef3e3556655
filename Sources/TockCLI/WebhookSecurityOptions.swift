import ArgumentParser
import Foundation
import TockCore
import TockExecutor

/// What an executor may call and how it signs: shared by `tock executor` and `tock dev`.
struct WebhookSecurityOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Also allow webhook targets in this CIDR block, at this address, or with this host name (repeatable).",
            discussion: "Loopback, link-local, private, unique-local, multicast and unspecified addresses are refused "
                + "unless allowed here or in the queue config's egress section.",
            valueName: "CIDR|HOST"))
    var allowEgress: [String] = []

    @Option(
        help: ArgumentHelp(
            "File of webhook signing secrets, one a line (whsec_<base64>, or raw text); the first signs Tock-Signature, "
                + "all sign webhook-signature.",
            discussion: "Without it, the TOCK_SIGNING_SECRET environment variable is used; without either, "
                + "nothing is signed."))
    var signingSecretFile: String?

    /// `--allow-egress` as a policy; `base` is what the command allows anyway (loopback for `tock dev`).
    func egress(base: EgressPolicy = EgressPolicy()) throws -> EgressPolicy {
        var policy = base
        for entry in allowEgress {
            do {
                try policy.allow(entry)
            } catch {
                throw ValidationError("--allow-egress: \(error.message)")
            }
        }
        return policy
    }

    /// The secrets come from a file (so they are not in `ps` output or shell history) or the environment.
    func signer() throws -> WebhookSigner? {
        let contents: [UInt8]
        let source: String
        if let signingSecretFile {
            guard let data = FileManager.default.contents(atPath: signingSecretFile) else {
                throw ValidationError("--signing-secret-file \(signingSecretFile) cannot be read")
            }
            contents = Array(data)
            source = "--signing-secret-file \(signingSecretFile)"
        } else if let fromEnvironment = ProcessInfo.processInfo.environment["TOCK_SIGNING_SECRET"],
            !fromEnvironment.isEmpty
        {
            contents = Array(fromEnvironment.utf8)
            source = "TOCK_SIGNING_SECRET"
        } else {
            return nil
        }
        do {
            return try WebhookSigner.parse(secrets: contents)
        } catch {
            throw ValidationError("\(source): \(error)")
        }
    }
}
