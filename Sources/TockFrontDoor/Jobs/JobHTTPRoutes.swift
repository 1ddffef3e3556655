import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TockCore
import TockModel
import TockShard
import TockWire

/// The job API over HTTP: `POST /v1/jobs` (JSON, or protobuf `tock.v1.JobSpec` with
/// `Content-Type: application/protobuf`), `POST /v1/jobs:batch`, `GET /v1/jobs/{id}`, `DELETE /v1/jobs/{id}` and
/// `GET /v1/jobs?state=&priority=&cursor=&limit=`. Any node takes any call and routes it to the owning shard.
public enum JobHTTPRoutes {
    public static func register(on router: Router<TockRequestContext>, frontDoor: FrontDoor) {
        let maxRequestBytes = frontDoor.policy.maxRequestBytes

        router.post("/v1/jobs") { request, context in
            guard case .success(let gateway) = frontDoor.gateway(for: request) else { return wrongShard(request) }
            var request = request
            guard let bytes = await request.collectBody(within: maxRequestBytes) else { return tooLarge() }
            let spec: JobSpec
            do {
                spec = try frontDoor.parseSubmit(Array(buffer: bytes), contentType: request.headers[.contentType])
            } catch {
                return response(JobFailure(status: 400, error: ErrorView(error)))
            }
            return response(await gateway.submit(spec, as: context.caller))
        }

        router.post("/v1/jobs:batch") { request, context in
            // A shard's part forwarded here by another node is stored on this node's shard, as one entry.
            guard case .success(let gateway) = frontDoor.gateway(for: request) else { return wrongShard(request) }
            var request = request
            guard let bytes = await request.collectBody(within: JobBatch.maxBodyBytes) else { return tooLarge() }
            let batch: JobBatch
            do {
                batch = try frontDoor.parseBatch(Array(buffer: bytes), contentType: request.headers[.contentType])
            } catch {
                return response(JobFailure(status: 400, error: ErrorView(error)))
            }
            switch await batch.submit(through: gateway, as: context.caller) {
            case .success(let answer): return ShardHTTPAPI.json(.ok, answer)
            case .failure(let failure): return response(failure)
            }
        }

        router.get("/v1/jobs") { request, context in
            guard case .success(let gateway) = frontDoor.gateway(for: request) else { return wrongShard(request) }
            let query: JobListQuery
            do {
                query = try JobListQuery(parameters: request.uri.queryParameters, nowNs: frontDoor.nowNs())
            } catch {
                return response(JobFailure(status: 400, error: ErrorView(error)))
            }
            switch await gateway.list(query, as: context.caller) {
            case .page(let page): return ShardHTTPAPI.json(.ok, page)
            case .failure(let failure): return response(failure)
            }
        }

        router.get("/v1/jobs:counts") { request, context in
            guard case .success(let gateway) = frontDoor.gateway(for: request) else { return wrongShard(request) }
            switch await gateway.counts(as: context.caller) {
            case .counts(let counts): return ShardHTTPAPI.json(.ok, counts)
            case .failure(let failure): return response(failure)
            }
        }

        router.get("/v1/jobs/:id") { request, context in
            guard case .success(let gateway) = frontDoor.gateway(for: request) else { return wrongShard(request) }
            return response(await gateway.job(id: try context.parameters.decoded("id"), as: context.caller))
        }

        router.post("/v1/jobs/:id/pause") { request, context in
            guard case .success(let gateway) = frontDoor.gateway(for: request) else { return wrongShard(request) }
            return response(await gateway.pause(id: try context.parameters.decoded("id"), as: context.caller))
        }

        router.post("/v1/jobs/:id/resume") { request, context in
            guard case .success(let gateway) = frontDoor.gateway(for: request) else { return wrongShard(request) }
            return response(await gateway.resume(id: try context.parameters.decoded("id"), as: context.caller))
        }

        router.get("/v1/jobs/:id/runs") { request, context in
            guard case .success(let gateway) = frontDoor.gateway(for: request) else { return wrongShard(request) }
            let page: RunsPage
            do {
                page = try RunsPage(parameters: request.uri.queryParameters)
            } catch {
                return response(JobFailure(status: 400, error: ErrorView(error)))
            }
            switch await gateway.runs(id: try context.parameters.decoded("id"), page, as: context.caller) {
            case .runs(let runs): return ShardHTTPAPI.json(.ok, runs)
            case .failure(let failure): return response(failure)
            }
        }

        router.delete("/v1/jobs/:id") { request, context in
            guard case .success(let gateway) = frontDoor.gateway(for: request) else { return wrongShard(request) }
            return response(await gateway.cancel(id: try context.parameters.decoded("id"), as: context.caller))
        }

        registerDeadLetters(on: router, frontDoor: frontDoor)
    }

    static func response(_ reply: JobReply) -> Response {
        switch reply {
        case .job(let status, let job): ShardHTTPAPI.json(.init(code: status), job)
        case .failure(let failure): response(failure)
        }
    }

    static func response(_ failure: JobFailure) -> Response {
        var response = ShardHTTPAPI.json(.init(code: failure.status), failure.error)
        if let seconds = failure.retryAfterSeconds { response.headers[.retryAfter] = "\(seconds)" }
        if let hint = failure.leaderHint, let name = HTTPField.Name(ForwardedCall.leaderHeader) {
            response.headers[name] = hint.description
        }
        return response
    }

    static func wrongShard(_ request: Request) -> Response {
        let shard = HTTPField.Name(ForwardedCall.shardHeader).flatMap { request.headers[$0] } ?? "?"
        return response(
            JobFailure(
                status: 421, code: "wrong_shard",
                message: "this node does not serve shard \(shard); check the shard map"))
    }

    static func tooLarge() -> Response {
        ShardHTTPAPI.json(.contentTooLarge, ErrorView(code: "too_large", message: "request body is too large"))
    }
}

extension FrontDoor {
    /// A call forwarded to this node for its own shard is served here and never routed on; any other call is
    /// routed.
    func gateway(for request: Request) -> Result<any JobGateway, WrongShard> {
        guard let name = HTTPField.Name(ForwardedCall.shardHeader), let value = request.headers[name] else {
            return .success(gateway)
        }
        guard let local, UInt32(value) == local.shard else { return .failure(WrongShard()) }
        return .success(local)
    }

    struct WrongShard: Error {}

    /// JSON, or a protobuf `tock.v1.JobSpecBatch` (a forwarded shard's part) when the content type says so.
    func parseBatch(_ bytes: [UInt8], contentType: String?) throws(FieldError) -> JobBatch {
        if contentType?.lowercased().hasPrefix(ForwardedCall.protobuf) == true {
            return try JobBatch.parse(protobuf: bytes, nowNs: nowNs(), policy: policy)
        }
        return try JobBatch.parse(json: bytes, nowNs: nowNs(), policy: policy)
    }

    /// JSON, or a protobuf `tock.v1.JobSpec` when the content type says so; validated by the same rules.
    func parseSubmit(_ bytes: [UInt8], contentType: String?) throws(FieldError) -> JobSpec {
        if contentType?.lowercased().hasPrefix(ForwardedCall.protobuf) == true {
            let spec: JobSpec
            do {
                spec = try JobSpec(decoding: bytes)
            } catch {
                throw FieldError(
                    field: nil, code: "invalid_protobuf", message: "body is not a tock.v1.JobSpec: \(error)")
            }
            return try JobRequest.validate(spec, nowNs: nowNs(), policy: policy)
        }
        return try JobRequest.parse(json: bytes, nowNs: nowNs(), policy: policy)
    }
}

extension ErrorView {
    init(_ error: any Error) {
        if let error = error as? FieldError {
            self.init(error)
        } else {
            self.init(code: "invalid", message: "\(error)")
        }
    }
}
