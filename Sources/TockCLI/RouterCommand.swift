import ArgumentParser
import Hummingbird
import Logging
import ServiceLifecycle
import TockCore
import TockFrontDoor
import TockShard

/// A stateless front tier: takes job calls over HTTP and NATS and routes each to its shard's leader, for
/// deployments that keep clients away from the shard nodes.
struct RouterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "router",
        abstract: "Run a stateless router: the job API over HTTP and NATS, routed to the shards in the shard map.",
        discussion: EnvironmentArguments.serviceHelp)

    @Option(
        help: ArgumentHelp(
            "Config file (as nats/tock.yaml) whose shards: list is the shard map.",
            valueName: "file"))
    var config: String
    @Option(help: "HTTP address of the job API.") var http: String = "127.0.0.1:7060"
    @Option(help: "This router's name in logs and forwarded calls.") var name: String = "router"
    @OptionGroup var httpLimits: HTTPLimitOptions
    @OptionGroup var auth: AuthFileOption
    @OptionGroup var nats: NATSOptions
    @OptionGroup var tls: TLSOptions
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let logger = try logging.makeLogger("tock.router")
        SecondSignal.install()
        guard let map = try loadQueueConfig(path: config).shardMap else {
            throw ValidationError("\(config) has no shards: list; a router needs the shard map")
        }
        let (host, port) = try parseHostPort(http, option: "--http")
        let (keys, reloader) = try auth.load(logger: logger)
        defer { reloader?.cancel() }
        let httpTLS = try tls.httpTLS()
        let frontDoor = FrontDoor(map: map, keys: keys, name: name, tls: httpTLS, logger: logger)
        let api = try FrontDoorServer.routerApplication(
            frontDoor: frontDoor, address: HostPort(host: host, port: port), name: name,
            limits: try httpLimits.limits(), tls: httpTLS, logger: logger
        ) { port in
            logger.info(
                "router HTTP API listening", metadata: ["address": "\(host):\(port)", "shards": "\(map.shardCount)"])
            SystemdNotify.send("READY=1")
        }
        let nats = JobNATSService(
            frontDoor: frontDoor, natsURL: self.nats.natsURL,
            natsSecurity: try self.nats.natsSecurity(), name: "tock-\(name)", logger: logger)
        try await ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: api), .init(service: TaskService("nats-api") { try await nats.run() }),
                    .init(service: SystemdNotifyService()),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        ).run()
    }
}
