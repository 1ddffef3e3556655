import Hummingbird
import Logging
import TockCore
import TockShard

/// The HTTP servers that carry the job API (Tock's `/v1/jobs` and scheduled-db's `/jobs`): a shard node's, with
/// its own cluster API, and a router's. `onServerRunning` receives the bound port (useful with port 0).
public enum FrontDoorServer {
    public static func shardApplication(
        node: ShardNode, frontDoor: FrontDoor, logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = FrontDoorRoutes.shardNode(node, frontDoor: frontDoor)
        let limits = node.configuration.httpLimits
        return Application(
            router: router,
            server: limits.server,
            configuration: limits.configuration(
                address: .hostname(node.configuration.httpHost, port: node.configuration.httpPort),
                serverName: "tock-shard"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    public static func routerApplication(
        frontDoor: FrontDoor, address: HostPort, name: String, limits: HTTPServerLimits = .init(), logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = FrontDoorRoutes.router(frontDoor: frontDoor, name: name, limits: limits)
        return Application(
            router: router,
            server: limits.server,
            configuration: limits.configuration(address: .hostname(address.host, port: address.port),
                                                serverName: "tock-router"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }
}
