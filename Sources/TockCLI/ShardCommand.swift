import ArgumentParser
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import TockCore
import TockShard

struct ShardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shard", abstract: "Run one shard node: the job store, its HTTP API and the due-timer.")

    @Option(help: "Shard number.") var shard: UInt32 = 0
    @Option(help: "Directory for the node's SQLite file.") var data: String = "./data"
    @Option(help: "HTTP API address.") var http: String = "127.0.0.1:7070"
    @Option(help: "Largest job body accepted, in bytes.") var maxBodyBytes: Int = 256 * 1024
    @OptionGroup var nats: NATSOptions
    @OptionGroup var logging: LoggingOptions

    func configuration() throws -> ShardConfiguration {
        var configuration = ShardConfiguration(dataDirectory: data)
        configuration.shard = shard
        configuration.natsURL = nats.natsURL
        (configuration.httpHost, configuration.httpPort) = try parseHostPort(http, option: "--http")
        guard maxBodyBytes > 0 else { throw ValidationError("--max-body-bytes must be positive") }
        configuration.submitPolicy.maxBodyBytes = maxBodyBytes
        return configuration
    }

    func run() async throws {
        let logger = try logging.makeLogger("tock.shard")
        let services = try await Self.services(try configuration(), logger: logger)
        try await ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)).run()
    }

    static func services(_ configuration: ShardConfiguration, logger: Logger) async throws -> [any Service] {
        let node = try await ShardNode(configuration: configuration, logger: logger)
        let api = ShardHTTPAPI.application(node: node, logger: logger) { port in
            logger.info("shard HTTP API listening",
                        metadata: ["address": "\(configuration.httpHost):\(port)", "shard": "\(configuration.shard)"])
        }
        return [api, TaskService("shard-\(configuration.shard)") { await node.run() }]
    }
}
