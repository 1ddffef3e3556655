import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import TockCore
import TockExecutor
import TockNATS
import TockShard

/// Everything on one laptop: nats-server (unless --nats-url is given), the streams, a shard, an executor and a
/// webhook sink, in one process tree. Ctrl-C stops all of it.
struct DevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev", abstract: "Run nats-server, a shard, an executor and a webhook sink on local defaults.")

    @Option(
        help: ArgumentHelp(
            "Use this NATS server instead of starting one (NATS_URL is not read here: it often names a shared "
                + "server, where tock dev would create its streams).", valueName: "url"))
    var natsURL: String?
    @OptionGroup var natsSecurity: NATSSecurityOptions
    @Option(
        help: ArgumentHelp(
            "nats-server config for the server started here (e.g. nats/dev.conf). Default: built-in settings "
                + "(JetStream, the values of nats/dev.conf) written to the temporary directory.", valueName: "file"))
    var natsConfig: String?
    @Option(help: "Where the nats-server started here listens (overrides the config's listen).")
    var natsListen: String = "127.0.0.1:4222"
    @Option(help: "The started nats-server's monitoring address (without --nats-config), or \"off\".")
    var natsMonitor: String = "127.0.0.1:8222"
    @Option(help: ArgumentHelp(QueueConfigFile.optionHelp, valueName: "file")) var config: String?
    @Option(help: "Shard data directory (default: a temporary directory, removed on exit).") var data: String?
    @Option(help: "Shard HTTP API address.") var http: String = "127.0.0.1:7070"
    @Option(help: "The executor's /metrics address, or \"off\".") var executorMetrics: String = "127.0.0.1:7080"
    @Option(help: "Webhook sink address; 'off' for none.") var sink: String = "127.0.0.1:7090"
    @OptionGroup var httpLimits: HTTPLimitOptions
    @OptionGroup var retention: RetentionOptions
    @OptionGroup var auth: AuthFileOption
    @OptionGroup var webhookSecurity: WebhookSecurityOptions
    @OptionGroup var tls: TLSOptions
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let logger = try logging.makeLogger("tock.dev")
        SecondSignal.install()
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tock-dev-\(getpid())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }

        try checkPortsFree()
        let (queues, source) = try QueueConfigFile.resolve(explicit: config)
        logger.info("queue config: \(source)")
        var natsServer: Process?
        defer {
            if let natsServer, natsServer.isRunning {
                natsServer.terminate()
                natsServer.waitUntilExit()
            }
        }
        let url: String
        if let natsURL {
            url = natsURL
        } else {
            natsServer = try startNATSServer(scratch: scratch, logger: logger)
            url = "nats://\(natsListen)"
        }
        let security = try natsSecurity.natsSecurity()
        let connection = try await connectWithRetry(
            url: url, security: security, within: .seconds(10),
            server: natsServer)
        for line in try JetStreamSetup.apply(queues, to: try connection.jetStream()) {
            logger.info("\(line)")
        }
        connection.close()

        var shardConfiguration = ShardConfiguration(dataDirectory: data ?? scratch.appendingPathComponent("shard").path)
        shardConfiguration.natsURL = url
        shardConfiguration.natsSecurity = security
        (shardConfiguration.httpHost, shardConfiguration.httpPort) = try parseHostPort(http, option: "--http")
        shardConfiguration.httpLimits = try httpLimits.limits()
        try retention.apply(to: &shardConfiguration)
        shardConfiguration.httpTLS = try tls.httpTLS()
        let loopback: Set<String> = ["127.0.0.1", "localhost", "::1", "[::1]"]
        let (keys, reloader) = try auth.load(
            logger: logger,
            quietlyOpen: loopback.contains(shardConfiguration.httpHost))
        defer { reloader?.cancel() }
        var services = try await ShardCommand.services(shardConfiguration, map: nil, keys: keys, logger: logger)

        var executorConfiguration = ExecutorConfiguration()
        executorConfiguration.apply(queues)
        executorConfiguration.natsURL = url
        executorConfiguration.natsSecurity = security
        // Loopback is where the sink and a developer's own services are.
        executorConfiguration.allowEgress = try webhookSecurity.egress(base: .loopback)
        executorConfiguration.webhookSigner = try webhookSecurity.signer()
        let executor = Executor(configuration: executorConfiguration, logger: logger)
        services.append(TaskService("executor") { await executor.run() })
        if executorMetrics != "off" {
            let (host, port) = try parseHostPort(executorMetrics, option: "--executor-metrics")
            services.append(MetricsEndpoint.application(host: host, port: port, executor: executor, logger: logger))
        }
        if sink != "off" {
            let (host, port) = try parseHostPort(sink, option: "--sink")
            services.append(SinkCommand.application(host: host, port: port, logger: logger))
        }
        // Said from inside the group, which traps SIGTERM and SIGINT before it starts its services: a signal sent on
        // reading this line before that was swallowed (`SecondSignal` counted it) and tock dev never stopped.
        services.append(
            TaskService("ready") {
                logger.info(
                    "tock dev is up: submit with `tock submit --url http://\(sink)/hello --body hi`; Ctrl-C stops")
                try? await gracefulShutdown()
            })
        try await ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger)
        ).run()
    }

    /// Starts nats-server through `tock guard-child`, so it stops and its store is removed even if this process
    /// is killed and runs no cleanup.
    private func startNATSServer(scratch: URL, logger: Logger) throws -> Process {
        let executable = try NATSServerLocator.find()
        let storeDirectory = scratch.appendingPathComponent("nats").path
        let (host, port) = try parseHostPort(natsListen, option: "--nats-listen")
        let arguments = [
            "-c", try natsServerConfig(scratch: scratch), "-sd", storeDirectory, "-a", host, "-p", "\(port)",
        ]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        process.arguments =
            ["guard-child", "--parent", "\(getpid())", "--remove-after", scratch.path, "--", executable]
            + arguments
        try process.run()
        logger.info(
            "started nats-server",
            metadata: [
                "guard_pid": "\(process.processIdentifier)",
                "store": "\(storeDirectory)",
            ])
        return process
    }

    /// `--nats-config`, else the built-in settings written to the scratch directory.
    private func natsServerConfig(scratch: URL) throws -> String {
        if let natsConfig {
            guard FileManager.default.isReadableFile(atPath: natsConfig) else {
                throw CLIError("--nats-config: cannot read \(natsConfig)")
            }
            return natsConfig
        }
        let monitor = natsMonitor == "off" ? nil : try parseHostPort(natsMonitor, option: "--nats-monitor")
        let file = scratch.appendingPathComponent("nats-server.conf")
        try DevNATSServerConfig.text(monitor: monitor).write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    /// Fails before starting anything when a port this command would listen on is taken, naming what holds it
    /// (often a nats-server or node left by a `tock dev` killed before this guard existed).
    private func checkPortsFree() throws {
        var addresses = [("--http", http)]
        if natsURL == nil { addresses.append(("--nats-listen", natsListen)) }
        if natsURL == nil, natsConfig == nil, natsMonitor != "off" { addresses.append(("--nats-monitor", natsMonitor)) }
        if sink != "off" { addresses.append(("--sink", sink)) }
        if executorMetrics != "off" { addresses.append(("--executor-metrics", executorMetrics)) }
        for (option, address) in addresses {
            let (host, port) = try parseHostPort(address, option: option)
            guard port != 0, PortOwner.isTaken(host: host, port: port) else { continue }
            throw CLIError(
                "\(address) (\(option)) is taken by \(PortOwner.describe(port: port)); stop it, or give "
                    + "\(option) another address")
        }
    }

    private func connectWithRetry(
        url: String, security: NATSSecurity, within limit: Duration, server: Process?
    ) async throws -> NATSConnection {
        let deadline = ContinuousClock.now + limit
        while true {
            if let server, !server.isRunning {
                throw CLIError("nats-server exited with status \(server.terminationStatus); see its output above")
            }
            do {
                return try NATSConnection.connect(
                    url: url, name: "tock-dev", timeout: .milliseconds(500),
                    security: security)
            } catch {
                if ContinuousClock.now >= deadline {
                    throw CLIError("NATS at \(redactingNATSCredentials(url)) not reachable: \(error)")
                }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }
}
