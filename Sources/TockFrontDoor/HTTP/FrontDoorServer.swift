import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import TockCore
import TockShard

/// The HTTP servers that carry the job API (Tock's `/v1/jobs` and scheduled-db's `/jobs`): a shard node's, with
/// its own cluster API, and a router's. `onServerRunning` receives the bound port (useful with port 0). With a
/// server certificate in `HTTPTLS`, they serve HTTPS only.
public enum FrontDoorServer {
    public static func shardApplication(
        node: ShardNode, frontDoor: FrontDoor, logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        let router = FrontDoorRoutes.shardNode(node, frontDoor: frontDoor)
        let limits = node.configuration.httpLimits
        return Application(
            router: router,
            server: try server(limits, tls: node.configuration.httpTLS),
            configuration: limits.configuration(
                address: .hostname(node.configuration.httpHost, port: node.configuration.httpPort),
                serverName: "tock-shard"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    public static func routerApplication(
        frontDoor: FrontDoor, address: HostPort, name: String, limits: HTTPServerLimits = .init(),
        tls: HTTPTLS = HTTPTLS(), logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        let router = FrontDoorRoutes.router(frontDoor: frontDoor, name: name, limits: limits)
        return Application(
            router: router,
            server: try server(limits, tls: tls),
            configuration: limits.configuration(
                address: .hostname(address.host, port: address.port),
                serverName: "tock-router"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    private static func server(_ limits: HTTPServerLimits, tls: HTTPTLS) throws -> HTTPServerBuilder {
        guard let configuration = tls.server else { return limits.server }
        return try .tls(limits.server, tlsConfiguration: configuration)
    }
}
