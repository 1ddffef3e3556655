import HTTPTypes
import Hummingbird
import NIOCore
import TockCore
import TockModel
import TockShard

/// The flow API over HTTP: `GET /v1/flows`, and `GET`, `PUT` and `DELETE /v1/flows/{key}` (Schemas/API.md, "Flow
/// control"). Any node or router takes any call; the flow key's shard's leader serves it.
enum FlowHTTPRoutes {
    static let maxBodyBytes = 4 * 1024

    static func register(on router: Router<TockRequestContext>, frontDoor: FrontDoor) {
        let flows = frontDoor.flows

        router.get("/v1/flows") { request, context in
            guard let served = frontDoor.servesHere(request) else { return JobHTTPRoutes.wrongShard(request) }
            return response(await flows.list(as: context.caller, served: served))
        }

        router.get("/v1/flows/:key") { request, context in
            guard let served = frontDoor.servesHere(request) else { return JobHTTPRoutes.wrongShard(request) }
            return response(await flows.flow(try context.parameters.decoded("key"), as: context.caller, served: served))
        }

        router.put("/v1/flows/:key") { request, context in
            guard let served = frontDoor.servesHere(request) else { return JobHTTPRoutes.wrongShard(request) }
            var request = request
            guard let bytes = await request.collectBody(within: maxBodyBytes) else { return JobHTTPRoutes.tooLarge() }
            let limits: FlowLimits
            do {
                limits = try JobRequest.parseFlowLimits(json: Array(buffer: bytes))
            } catch {
                return JobHTTPRoutes.response(JobFailure(status: 400, error: ErrorView(error)))
            }
            return response(
                await flows.setFlow(try context.parameters.decoded("key"), limits, as: context.caller, served: served))
        }

        router.delete("/v1/flows/:key") { request, context in
            guard let served = frontDoor.servesHere(request) else { return JobHTTPRoutes.wrongShard(request) }
            return response(
                await flows.deleteFlow(try context.parameters.decoded("key"), as: context.caller, served: served))
        }
    }

    private static func response<Value: Encodable>(_ reply: Result<Value, JobFailure>) -> Response {
        switch reply {
        case .success(let value): ShardHTTPAPI.json(.ok, value)
        case .failure(let failure): JobHTTPRoutes.response(failure)
        }
    }
}

extension FrontDoor {
    /// Whether the request was forwarded to this node's shard (true), is to be routed (false), or names a shard
    /// this node does not serve (nil).
    func servesHere(_ request: Request) -> Bool? {
        guard let name = HTTPField.Name(ForwardedCall.shardHeader), let value = request.headers[name] else {
            return false
        }
        guard let local, UInt32(value) == local.shard else { return nil }
        return true
    }

    var flows: FlowGateway { FlowGateway(map: map, local: local, leaders: leaders) }
}
