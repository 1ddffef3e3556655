import Foundation
import Hummingbird
import Logging
import NIOCore
import TockAuth
import TockCore
import TockMetrics
import TockModel
import TockShard
import TockWire

/// A shard node's own HTTP API: its Raft group (status, leadership transfer, membership), its job counts and a
/// health check. The job API (TockFrontDoor) is added to the same router.
public enum ShardHTTPAPI {

    /// `frontDoor.guardian` admits each request (`APIAuthentication`); `/metrics` is served before it, open.
    /// Membership and leadership calls go to the leader the way job calls do (`frontDoor.leaders`).
    static func router(node: ShardNode, frontDoor: FrontDoor) -> Router<TockRequestContext> {
        let router = Router(context: TockRequestContext.self)
        router.middlewares.add(RequestHeaderLimit(node.configuration.httpLimits))
        // Every node answers for itself, leader or not: Prometheus scrapes each one.
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: MetricsRegistry.contentType],
                body: .init(byteBuffer: ByteBuffer(string: node.metrics.registry.exposition())))
        }
        // Before forwarding too: readiness is this node's own.
        router.get("/readyz") { _, _ in
            let readiness = await node.readiness()
            return json(.init(code: readiness.httpStatus), readiness)
        }
        // Middleware applies to the routes added after it.
        router.middlewares.add(ErrorMiddleware())
        // Before forwarding, so a follower refuses what the leader would refuse without a round trip; the leader
        // checks the forwarded request again, as it checks every request.
        router.middlewares.add(APIAuthentication(frontDoor.guardian))
        router.middlewares.add(
            LeaderForwarding(
                local: LocalShardJobs(node: node), leaders: frontDoor.leaders, maxRequestBytes: 64 * 1024))

        router.get("/healthz") { _, _ in
            json(.ok, ["status": "ok", "shard": "\(node.configuration.shard)"])
        }

        router.get("/v1/cluster") { _, _ in json(.ok, node.cluster) }

        router.get("/v1/status") { _, _ in
            let counts = try await node.jobCounts()
            return json(
                .ok,
                ShardStatusView(
                    shard: node.configuration.shard, cluster: node.cluster,
                    jobs: Dictionary(uniqueKeysWithValues: JobState.allCases.map { ($0.rawValue, counts[$0] ?? 0) }),
                    dueUnpublished: try await node.runsDueUnpublished()))
        }

        router.post("/v1/cluster/transfer-leader") { request, _ in
            let target = try TransferLeaderRequest.parse(try await smallBody(request))
            do {
                try await node.transferLeadership(to: target)
            } catch RaftDriverError.invalidTransferTarget(let target) {
                return json(
                    .badRequest,
                    ErrorView(
                        code: "invalid", field: "to",
                        message: "\(target) is not another voter of this shard"))
            }
            return json(.accepted, ["status": "transferring", "from": node.cluster.node, "to": target])
        }

        router.post("/v1/cluster/nodes") { request, _ in
            let add = try AddNodeRequest.parse(try await smallBody(request))
            return json(.ok, try await node.addNode(add.node, raft: add.raft, http: add.http))
        }

        router.delete("/v1/cluster/nodes/:node") { _, context in
            json(.ok, try await node.removeNode(try context.parameters.decoded("node")))
        }

        return router
    }

    public static func json(_ status: HTTPResponse.Status, _ value: some Encodable) -> Response {
        let bytes = AnswerJSON.bytes(value) ?? Array("{}".utf8)
        var buffer = ByteBuffer()
        buffer.reserveCapacity(bytes.count + 1)
        buffer.writeBytes(bytes)
        buffer.writeString("\n")
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: buffer))
    }

    /// A 503: the node cannot answer now (no leader, the log could not commit). `Retry-After` tells the client when
    /// to try again, as on every 503 of the job API.
    public static func unavailable(_ error: ErrorView) -> Response {
        var response = json(.serviceUnavailable, error)
        response.headers[.retryAfter] = "1"
        return response
    }

    /// The body of an operator request (a few fields of JSON).
    static func smallBody(_ request: Request) async throws -> Data {
        var request = request
        return Data(buffer: try await request.collectBody(upTo: 64 * 1024))
    }

}

/// Turns errors escaping a handler into JSON: Hummingbird's own HTTP errors keep their status; anything else
/// (the log could not commit, SQLite failed) is a 503 so clients retry instead of assuming the job exists.
public struct ErrorMiddleware: RouterMiddleware {
    public typealias Context = TockRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as FieldError {
            return ShardHTTPAPI.json(.badRequest, ErrorView(error))
        } catch RaftDriverError.membershipChangeRefused(let reason) {
            return ShardHTTPAPI.json(
                .conflict, ErrorView(code: "conflict", message: "membership change refused: \(reason)"))
        } catch let error as RaftDriverError {
            let code =
                switch error {
                case .notLeader: "not_leader"
                case .outcomeUnknown: "outcome_unknown"
                case .storageFull: "storage_full"
                case .stopped, .invalidTransferTarget, .membershipChangeRefused: "unavailable"
                }
            return ShardHTTPAPI.unavailable(ErrorView(code: code, message: error.description))
        } catch let error as HTTPResponseError {
            let code = error.status.code == 404 ? "not_found" : "http_\(error.status.code)"
            return ShardHTTPAPI.json(error.status, ErrorView(code: code, message: "\(error.status.reasonPhrase)"))
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(error)"])
            return ShardHTTPAPI.unavailable(ErrorView(code: "unavailable", message: "\(error)"))
        }
    }
}
