import ArgumentParser
import Logging
import TockAuth

/// `--auth-file` of `tock shard`, `tock router` and `tock dev`.
struct AuthFileOption: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "API keys (YAML, written by `tock auth add-key`), re-read on SIGHUP. Without it the HTTP and NATS job API is "
                + "open to anyone who can reach it.", valueName: "file"))
    var authFile: String?

    /// The keys, re-read on every SIGHUP while the returned reloader lives; nil, with a warning, when the API is
    /// open (`quietlyOpen` for `tock dev` on loopback, where open is the point).
    func load(logger: Logger, quietlyOpen: Bool = false) throws -> (APIKeys?, ReloadOnHangup?) {
        guard let authFile else {
            if !quietlyOpen {
                logger.warning(
                    """
                    the API is open: no --auth-file, so anyone who can reach the HTTP port or the NATS request \
                    subjects can submit, read and cancel every job and change the cluster
                    """)
            }
            return (nil, nil)
        }
        let keys: APIKeys
        do {
            keys = try APIKeys(path: authFile)
        } catch {
            throw ValidationError("--auth-file: \(error)")
        }
        logger.info("API keys loaded", metadata: ["file": "\(authFile)", "keys": "\(keys.count)"])
        let reloader = ReloadOnHangup {
            do {
                let count = try keys.reload()
                logger.info("API keys reloaded", metadata: ["file": "\(authFile)", "keys": "\(count)"])
            } catch {
                logger.error("API keys not reloaded; keeping the previous ones", metadata: ["error": "\(error)"])
            }
        }
        return (keys, reloader)
    }
}
