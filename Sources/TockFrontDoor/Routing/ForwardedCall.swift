import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TockCore
import TockShard

/// One job call sent to a node of its owning shard. The `tock-shard` header tells the receiver to serve it from
/// its own shard and never route it on, so a call crosses at most one hop and cannot loop.
struct ForwardedCall: Sendable {
    static let shardHeader = "tock-shard"
    static let leaderHeader = "tock-leader"
    static let forwardedByHeader = "x-tock-forwarded-by"
    static let protobuf = "application/protobuf"

    var method: HTTPMethod
    /// Path and query, e.g. `/v1/jobs/0-01J…`.
    var target: String
    var body: [UInt8]?
    var contentType: String?
    /// Whether sending it twice is harmless (reads, cancels, submits with an idempotency key): only such calls
    /// are retried after a failure that may have happened after the receiver acted.
    var retrySafe: Bool
    /// The caller's `Authorization` header, sent on so the receiving node authenticates the caller itself; nil
    /// when the API is open.
    var authorization: String? = nil

    /// What came back, decoded into the reply the front ends encode.
    struct Answer: Sendable {
        var status: Int
        var body: ByteBuffer
        var retryAfterSeconds: Int?
        var leaderHint: HostPort?

        var failure: JobFailure? {
            guard !(200..<300).contains(status) else { return nil }
            let error =
                (try? JSONDecoder().decode(ErrorView.self, from: Data(buffer: body)))
                ?? ErrorView(code: "http_\(status)", message: String(buffer: body))
            var failure = JobFailure(status: status, error: error, retryAfterSeconds: retryAfterSeconds)
            failure.leaderHint = leaderHint
            return failure
        }

        func decode<Value: Decodable>(_ type: Value.Type) -> Result<Value, JobFailure> {
            if let failure { return .failure(failure) }
            do {
                return .success(try JSONDecoder().decode(Value.self, from: Data(buffer: body)))
            } catch {
                return .failure(
                    JobFailure(
                        status: 502, code: "bad_gateway",
                        message: "the owning shard answered with a body that is not a job: \(error)"))
            }
        }

        /// A forwarded batch part: `{"results": [...]}` in the order sent, or the failure of the whole part.
        var batchReply: JobBatchReply {
            switch decode(JobBatch.Answer.self) {
            case .success(let answer): .replies(answer.results.map(\.reply))
            case .failure(let failure): .failure(failure)
            }
        }

        var jobReply: JobReply {
            switch decode(JobView.self) {
            case .success(let job): .job(status: status, job)
            case .failure(let failure): .failure(failure)
            }
        }
    }

    func send(to address: HostPort, shard: UInt32, from sender: String, client: HTTPClient, timeout: Duration)
        async throws -> Answer
    {
        var request = HTTPClientRequest(url: address.httpURL + target)
        request.method = method
        request.headers.add(name: Self.shardHeader, value: "\(shard)")
        request.headers.add(name: Self.forwardedByHeader, value: sender)
        if let contentType { request.headers.add(name: "content-type", value: contentType) }
        if let authorization { request.headers.add(name: "authorization", value: authorization) }
        if let body { request.body = .bytes(body) }
        let response = try await client.execute(request, timeout: .nanoseconds(timeout.nanoseconds))
        let bytes = try await response.body.collect(upTo: 64 * 1024 * 1024)
        return Answer(
            status: Int(response.status.code), body: bytes,
            retryAfterSeconds: response.headers.first(name: "retry-after").flatMap(Int.init),
            leaderHint: response.headers.first(name: Self.leaderHeader).flatMap(HostPort.init(parsing:)))
    }
}
