/// The nats-server configuration `tock dev` writes to its temporary directory when no `--nats-config` is given,
/// so it needs no file from the repository: nats/dev.conf's settings (a test holds them equal) and the monitoring
/// address from `--nats-monitor`. The listen address is passed as `-a`/`-p` and the store directory as `-sd`
/// (nats-server 2.9 refuses `-sd` when the config also names one).
enum DevNATSServerConfig {
    static let settings = """
        server_name: tock-dev
        jetstream {
          max_memory_store: 256MB
          max_file_store: 4GB
        }
        """

    static func text(monitor: (host: String, port: Int)?) -> String {
        guard let monitor else { return settings + "\n" }
        return "http: \"\(monitor.host):\(monitor.port)\"\n" + settings + "\n"
    }
}
