import Foundation
import Hummingbird
import Logging
import NIOCore
import TockCore
import TockWire

/// The shard's HTTP API: submit, read and cancel jobs, and a health check.
public enum ShardHTTPAPI {
    /// A request larger than this is refused with 413 before it is parsed; the job body limit is checked
    /// separately so its 400 can name the field.
    static func maxRequestBytes(_ policy: SubmitPolicy) -> Int { policy.maxBodyBytes * 2 + 64 * 1024 }

    public static func router(node: ShardNode) -> Router<BasicRequestContext> {
        let router = Router()
        let policy = node.configuration.submitPolicy
        // Middleware applies to the routes added after it.
        router.middlewares.add(ErrorMiddleware())
        router.middlewares.add(LeaderForwarding(node: node, maxRequestBytes: maxRequestBytes(policy)))

        router.get("/healthz") { _, _ in
            json(.ok, ["status": "ok", "shard": "\(node.configuration.shard)"])
        }

        router.post("/v1/jobs") { request, _ in
            var request = request
            let bytes: ByteBuffer
            do {
                bytes = try await request.collectBody(upTo: maxRequestBytes(policy))
            } catch {
                return json(.contentTooLarge, ErrorView(code: "too_large", message: "request body is too large"))
            }
            let spec: JobSpec
            do {
                spec = try JobRequest.parse(json: bytes.readableBytesView, nowNs: node.nowNs(), policy: policy)
            } catch let error as FieldError {
                return json(.badRequest, ErrorView(error))
            }
            switch try await node.submit(spec) {
            case .created(let job): return json(.created, JobView(job))
            case .existing(let job): return json(.ok, JobView(job))
            case let other: return unexpected(other)
            }
        }

        router.get("/v1/cluster") { _, _ in json(.ok, node.cluster) }

        router.get("/v1/status") { _, _ in
            let counts = try await node.jobCounts()
            return json(.ok, ShardStatusView(
                shard: node.configuration.shard, cluster: node.cluster,
                jobs: Dictionary(uniqueKeysWithValues: JobState.allCases.map { ($0.rawValue, counts[$0] ?? 0) })))
        }

        router.post("/v1/cluster/transfer-leader") { request, _ in
            let target = try TransferLeaderRequest.parse(try await smallBody(request))
            do {
                try await node.transferLeadership(to: target)
            } catch RaftDriverError.invalidTransferTarget(let target) {
                return json(.badRequest, ErrorView(code: "invalid", field: "to",
                                                   message: "\(target) is not another voter of this shard"))
            }
            return json(.accepted, ["status": "transferring", "from": node.cluster.node, "to": target])
        }

        router.post("/v1/cluster/nodes") { request, _ in
            let add = try AddNodeRequest.parse(try await smallBody(request))
            return json(.ok, try await node.addNode(add.node, raft: add.raft, http: add.http))
        }

        router.delete("/v1/cluster/nodes/:node") { _, context in
            json(.ok, try await node.removeNode(try context.parameters.require("node")))
        }

        router.get("/v1/jobs/:id") { _, context in
            let id = try context.parameters.require("id")
            guard let job = try await node.job(id: id) else { return notFound(id) }
            return json(.ok, JobView(job))
        }

        router.delete("/v1/jobs/:id") { _, context in
            let id = try context.parameters.require("id")
            switch try await node.cancel(id: id) {
            case .cancelled(let job): return json(.ok, JobView(job))
            case .notFound: return notFound(id)
            case .conflict(let job):
                return json(.conflict, ErrorView(code: "conflict", field: "id",
                                                 message: "job \(id) already \(job.state.rawValue)"))
            case let other: return unexpected(other)
            }
        }
        return router
    }

    /// The application serving `router(node:)`. `onServerRunning` receives the bound port (useful with port 0).
    public static func application(
        node: ShardNode, logger: Logger, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = self.router(node: node)
        return Application(
            router: router,
            configuration: .init(address: .hostname(node.configuration.httpHost, port: node.configuration.httpPort),
                                 serverName: "tock-shard"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    static func json(_ status: HTTPResponse.Status, _ value: some Encodable) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        var buffer = ByteBuffer()
        buffer.writeBytes(data)
        buffer.writeString("\n")
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: buffer))
    }

    /// The body of an operator request (a few fields of JSON).
    static func smallBody(_ request: Request) async throws -> Data {
        var request = request
        return Data(buffer: try await request.collectBody(upTo: 64 * 1024))
    }

    static func notFound(_ id: String) -> Response {
        json(.notFound, ErrorView(code: "not_found", field: "id", message: "no job with id \(id)"))
    }

    static func unexpected(_ result: ApplyResult) -> Response {
        json(.internalServerError, ErrorView(code: "internal", message: "unexpected result \(result)"))
    }
}

/// Turns errors escaping a handler into JSON: Hummingbird's own HTTP errors keep their status; anything else
/// (the log could not commit, SQLite failed) is a 503 so clients retry instead of assuming the job exists.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as FieldError {
            return ShardHTTPAPI.json(.badRequest, ErrorView(error))
        } catch RaftDriverError.membershipChangeRefused(let reason) {
            return ShardHTTPAPI.json(.conflict, ErrorView(code: "conflict", message: "membership change refused: \(reason)"))
        } catch let error as RaftDriverError {
            let code = switch error {
            case .notLeader: "not_leader"
            case .outcomeUnknown: "outcome_unknown"
            case .stopped, .invalidTransferTarget, .membershipChangeRefused: "unavailable"
            }
            return ShardHTTPAPI.json(.serviceUnavailable, ErrorView(code: code, message: error.description))
        } catch let error as HTTPResponseError {
            let code = error.status.code == 404 ? "not_found" : "http_\(error.status.code)"
            return ShardHTTPAPI.json(error.status, ErrorView(code: code, message: "\(error.status.reasonPhrase)"))
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(error)"])
            return ShardHTTPAPI.json(.serviceUnavailable, ErrorView(code: "unavailable", message: "\(error)"))
        }
    }
}
