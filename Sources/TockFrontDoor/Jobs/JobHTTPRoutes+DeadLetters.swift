import Hummingbird
import TockCore
import TockShard

/// Dead letters and replay over HTTP: `POST /v1/jobs/{id}/retry`, and `POST /v1/jobs:retry` and
/// `POST /v1/jobs:cancel` with a JSON filter (`BulkAction`).
extension JobHTTPRoutes {
    static func registerDeadLetters(on router: Router<TockRequestContext>, frontDoor: FrontDoor) {
        router.post("/v1/jobs/:id/retry") { request, context in
            guard case .success(let gateway) = frontDoor.gateway(for: request) else { return wrongShard(request) }
            return response(await gateway.retry(id: try context.parameters.decoded("id"), as: context.caller))
        }
        for action in [BulkAction.retry, .cancel] {
            router.post(RouterPath(action.path)) { request, context in
                guard case .success(let gateway) = frontDoor.gateway(for: request) else { return wrongShard(request) }
                var request = request
                guard let bytes = await request.collectBody(within: BulkAction.maxBodyBytes) else { return tooLarge() }
                let query: JobListQuery
                do {
                    query = try action.parse(Array(buffer: bytes), nowNs: frontDoor.nowNs())
                } catch {
                    return response(JobFailure(status: 400, error: ErrorView(error)))
                }
                switch await gateway.bulk(action, query, as: context.caller) {
                case .done(let answer): return ShardHTTPAPI.json(.ok, answer)
                case .failure(let failure): return response(failure)
                }
            }
        }
    }
}
