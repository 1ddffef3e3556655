import ArgumentParser
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import TockCore

/// A webhook receiver for trying Tock out: prints every request it gets. `/status/<code>` answers with that code.
struct SinkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sink", abstract: "A local webhook target that prints what it receives.")

    @Option(help: "Listen address.") var listen: String = "127.0.0.1:7090"
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let logger = try logging.makeLogger("tock.sink")
        SecondSignal.install()
        let (host, port) = try parseHostPort(listen, option: "--listen")
        try await ServiceGroup(
            configuration: .init(
                services: [.init(service: Self.application(host: host, port: port, logger: logger))],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        ).run()
    }

    static func application(host: String, port: Int, logger: Logger) -> some ApplicationProtocol {
        let router = Router()
        router.on("**", method: .post, use: receive)
        router.on("**", method: .put, use: receive)
        router.on("**", method: .get, use: receive)
        router.on("**", method: .patch, use: receive)
        router.on("**", method: .delete, use: receive)
        return Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "tock-sink"),
            onServerRunning: { _ in logger.info("webhook sink listening", metadata: ["address": "\(host):\(port)"]) },
            logger: logger)
    }

    @Sendable static func receive(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: 16 * 1024 * 1024)
        let tock = request.headers.filter {
            let name = $0.name.canonicalName.lowercased()
            return name.hasPrefix("tock-") || name == "idempotency-key"
        }
        .map { "\($0.name)=\($0.value)" }.joined(separator: " ")
        // Written straight to the file descriptor so each line appears at once, even when piped.
        FileHandle.standardOutput.write(
            Data("webhook \(request.method) \(request.uri.path) \(tock) body=\(String(buffer: body))\n".utf8))
        let parts = request.uri.path.split(separator: "/")
        if parts.count == 2, parts[0] == "status", let code = Int(parts[1]), (200...599).contains(code) {
            return Response(status: .init(code: code))
        }
        return Response(status: .ok)
    }
}
