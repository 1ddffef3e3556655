import Hummingbird
import TockShard

/// The routes of Tock's two HTTP servers, as `FrontDoorServer` serves them. Built apart from the servers so the
/// route tables can be listed (`Router.routes`) and held equal to `Schemas/openapi.json` without serving them.
public enum FrontDoorRoutes {
    /// A shard node's: its own API (`ShardHTTPAPI`), the job API, scheduled-db's API (its cluster endpoints
    /// included) and the OpenAPI document.
    public static func shardNode(_ node: ShardNode, frontDoor: FrontDoor) -> Router<TockRequestContext> {
        let router = ShardHTTPAPI.router(node: node, frontDoor: frontDoor)
        JobHTTPRoutes.register(on: router, frontDoor: frontDoor)
        FlowHTTPRoutes.register(on: router, frontDoor: frontDoor)
        let nodeID = "\(node.configuration.shard)/\(node.configuration.cluster.nodeID)"
        ScheduledDBRoutes.register(
            on: router, gateway: frontDoor.gateway, policy: frontDoor.policy, nodeID: nodeID, clock: node.clock,
            health: { ScheduledDBHealthView(nodeID: nodeID, cluster: node.cluster, raftAddress: node.raftAddress(of:)) }
        )
        ScheduledDBClusterRoutes.register(on: router, node: node)
        OpenAPIRoute.register(on: router)
        UIRoutes.register(on: router, frontDoor: frontDoor, node: .shard(node))
        return router
    }

    /// A router's (`tock router`): its health check, the job API, scheduled-db's API and the OpenAPI document.
    public static func router(frontDoor: FrontDoor, name: String, limits: HTTPServerLimits = .init())
        -> Router<TockRequestContext>
    {
        let router = Router(context: TockRequestContext.self)
        router.middlewares.add(RequestHeaderLimit(limits))
        router.get("/readyz") { _, _ in
            let readiness = await frontDoor.leaders.readiness()
            return ShardHTTPAPI.json(.init(code: readiness.httpStatus), readiness)
        }
        router.middlewares.add(ErrorMiddleware())
        router.middlewares.add(APIAuthentication(frontDoor.guardian))
        router.get("/healthz") { _, _ in
            ShardHTTPAPI.json(.ok, ["status": "ok", "shards": "\(frontDoor.map.shardCount)"])
        }
        JobHTTPRoutes.register(on: router, frontDoor: frontDoor)
        FlowHTTPRoutes.register(on: router, frontDoor: frontDoor)
        ScheduledDBRoutes.register(on: router, gateway: frontDoor.gateway, policy: frontDoor.policy, nodeID: name)
        OpenAPIRoute.register(on: router)
        UIRoutes.register(on: router, frontDoor: frontDoor, node: .router)
        return router
    }
}
