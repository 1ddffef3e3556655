import AsyncHTTPClient
import Hummingbird
import NIOCore
import NIOHTTP1
import TockCore
import TockShard

/// Followers forward membership and leadership requests to the leader (job calls are routed by TockFrontDoor), so a client may talk to any node of a shard and still get
/// linearizable answers. A request is forwarded at most once: a node that receives a forwarded request and does
/// not lead answers 503 rather than bounce it on during an election.
struct LeaderForwarding: RouterMiddleware {
    typealias Context = TockRequestContext

    static let forwardedBy = "x-tock-forwarded-by"
    /// How long a request waits for an election before it is refused.
    static let leaderWait: Duration = .seconds(3)

    /// Fails fast when the leader is down (a follower learns of the new one within an election), rather than
    /// redialling a dead node until the request's deadline.
    private static func client(_ tls: HTTPTLS) -> HTTPClient {
        PeerHTTPClients.client("leader-forwarding", tls: tls) { configuration in
            configuration.timeout = .init(connect: .seconds(1))
            configuration.connectionPool.retryConnectionEstablishment = false
        }
    }

    let node: ShardNode
    let maxRequestBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        guard Self.isForwardable(request.uri.path) else { return try await next(request, context) }
        guard let status = await node.waitForLeader(timeout: Self.leaderWait) else {
            return ShardHTTPAPI.unavailable(
                ErrorView(
                    code: "no_leader", message: "shard \(node.configuration.shard) has no leader; retry shortly"))
        }
        if status.leader == status.node { return try await next(request, context) }
        guard let leader = status.leader,
            !request.headers.contains(where: { $0.name.canonicalName == Self.forwardedBy }),
            let address = node.httpAddress(of: leader)
        else {
            return ShardHTTPAPI.unavailable(
                ErrorView(
                    code: "not_leader",
                    message: "node \(status.node) does not lead shard \(node.configuration.shard); the leader is "
                        + "\(status.leader ?? "unknown") and its HTTP address is not configured (--peer-http)"))
        }
        do {
            return try await forward(request, to: address, from: status.node)
        } catch {
            return ShardHTTPAPI.unavailable(
                ErrorView(
                    code: "leader_unreachable", message: "cannot reach the leader \(leader) at \(address): \(error)"))
        }
    }

    static func isForwardable(_ path: String) -> Bool {
        path == "/v1/cluster/transfer-leader" || path.hasPrefix("/v1/cluster/nodes")
    }

    private func forward(_ request: Request, to address: HostPort, from node: String) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: maxRequestBytes)
        var outbound = HTTPClientRequest(url: address.httpURL + request.uri.description)
        outbound.method = HTTPMethod(rawValue: request.method.rawValue)
        for field in request.headers where !Self.hopByHop.contains(field.name.canonicalName) {
            outbound.headers.add(name: field.name.rawName, value: field.value)
        }
        outbound.headers.add(name: Self.forwardedBy, value: node)
        outbound.body = .bytes(body)
        let response = try await Self.client(self.node.configuration.httpTLS).execute(outbound, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 64 * 1024 * 1024)
        var headers = HTTPFields()
        if let type = response.headers.first(name: "content-type") { headers[.contentType] = type }
        return Response(
            status: .init(code: Int(response.status.code)), headers: headers,
            body: .init(byteBuffer: bytes))
    }

    private static let hopByHop: Set<String> = [
        "host", "connection", "content-length", "transfer-encoding", "keep-alive", "upgrade", "te", "trailer",
    ]
}
