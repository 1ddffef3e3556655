import HTTPTypes
import Hummingbird
import NIOCore
import TockAuth
import TockShard

/// Followers send membership and leadership requests (scheduled-db's `POST /join` too) on to their shard's leader,
/// so a client may talk to any node and still get the leader's answer. They go the way job calls go
/// (`ShardLeaders`, `ForwardedCall`): one hop, the leader found from this node's Raft view, a `not_leader` hint or
/// the shard's other nodes in turn, the caller's credentials sent along. A forwarded request is served where it
/// lands or refused with `not_leader`, never sent on again, so it cannot loop during an election.
struct LeaderForwarding: RouterMiddleware {
    typealias Context = TockRequestContext

    let local: LocalShardJobs
    let leaders: ShardLeaders
    let maxRequestBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        guard Self.isForwardable(request.uri.path) else { return try await next(request, context) }
        let node = local.node
        // During an election nobody leads; waiting for the outcome beats a round of guesses.
        if node.cluster.leader == nil { _ = await node.waitForLeader(timeout: .seconds(3)) }
        if node.isLeader { return try await next(request, context) }
        guard !Self.wasForwarded(request) else {
            return Self.refusal(local.failure(RaftDriverError.notLeader(leader: node.cluster.leader)), of: request)
        }
        var request = request
        let body = try await request.collectBody(upTo: maxRequestBytes)
        var call = ForwardedCall(
            method: .init(rawValue: request.method.rawValue), target: request.uri.description,
            body: Array(buffer: body), contentType: request.headers[.contentType],
            // A membership change or a transfer sent twice is not harmless: only a call that never left is retried.
            retrySafe: false)
        call.authorization = context.caller.credential
        switch await leaders.send(call, toShard: local.shard) {
        case .success(let answer):
            var response = Response(
                status: .init(code: answer.status), headers: [.contentType: "application/json"],
                body: .init(byteBuffer: answer.body))
            if let seconds = answer.retryAfterSeconds { response.headers[.retryAfter] = "\(seconds)" }
            return response
        case .failure(let failure):
            return Self.refusal(failure, of: request)
        }
    }

    static func isForwardable(_ path: String) -> Bool {
        path == "/v1/cluster/transfer-leader" || path.hasPrefix("/v1/cluster/nodes") || path == "/join"
    }

    /// A call that reached no leader, answered in its API's words: scheduled-db's for `/join`.
    private static func refusal(_ failure: JobFailure, of request: Request) -> Response {
        request.uri.path == "/join" ? ScheduledDBClusterRoutes.joinFailure(failure) : JobHTTPRoutes.response(failure)
    }

    private static func wasForwarded(_ request: Request) -> Bool {
        guard let name = HTTPField.Name(ForwardedCall.forwardedByHeader) else { return false }
        return request.headers[name] != nil
    }
}
