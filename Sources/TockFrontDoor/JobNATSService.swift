import Foundation
import Logging
import TockCore
import TockNATS
import TockShard
import TockWire

/// The job API over NATS request/reply, served by every shard node and router in one queue group, so each
/// request reaches one of them and is routed like an HTTP call:
///
/// - `tock.submit`: the JSON of `POST /v1/jobs`, or a protobuf `tock.v1.JobSpec` with header
///   `Content-Type: application/protobuf`;
/// - `tock.submit.batch`: the JSON of `POST /v1/jobs:batch`;
/// - `tock.get`, `tock.cancel`: the job id as the payload (or `{"id": "…"}`).
///
/// The reply is the HTTP API's JSON body, sent only once the answer is final (for a submit, after the Raft
/// commit); its `Tock-Status` header carries the HTTP status, and a 503 also `Retry-After`. Errors are always
/// a JSON error body, never silence.
public final class JobNATSService: Sendable {
    public static let queue = "tock-api"
    public static let submitSubject = "tock.submit"
    public static let batchSubject = "tock.submit.batch"
    public static let getSubject = "tock.get"
    public static let cancelSubject = "tock.cancel"

    private let frontDoor: FrontDoor
    private let link: NATSLink
    private let logger: Logger

    public init(frontDoor: FrontDoor, natsURL: String, name: String, logger: Logger) {
        self.frontDoor = frontDoor
        link = NATSLink(url: natsURL, name: name, logger: logger)
        self.logger = logger
    }

    /// Serves until the task is cancelled (waiting for NATS if it is down), then drains: requests already taken
    /// are answered before it returns.
    public func run() async throws {
        var services: [NATSService] = []
        do {
            for (subject, handler) in handlers() {
                services.append(try await link.serve(subject: subject, queue: Self.queue) { await handler($0) })
            }
            logger.info("job API serving on NATS", metadata: [
                "subjects": "\(Self.submitSubject), \(Self.batchSubject), \(Self.getSubject), \(Self.cancelSubject)",
                "queue": "\(Self.queue)",
            ])
            while true { try await Task.sleep(for: .seconds(3600)) }
        } catch {
            for service in services { await service.stop() }
            await link.close()
            if error is CancellationError { return }
            throw error
        }
    }

    private func handlers() -> [(String, @Sendable (NATSRequest) async -> NATSReply)] {
        let frontDoor = self.frontDoor
        return [
            (Self.submitSubject, { request in
                let spec: JobSpec
                do {
                    spec = try frontDoor.parseSubmit(request.data, contentType: request.header("content-type"))
                } catch {
                    return Self.reply(JobFailure(status: 400, error: ErrorView(error)))
                }
                return Self.reply(await frontDoor.gateway.submit(spec))
            }),
            (Self.batchSubject, { request in
                let batch: JobBatch
                do {
                    batch = try JobBatch.parse(json: request.data, nowNs: frontDoor.nowNs(), policy: frontDoor.policy)
                } catch {
                    return Self.reply(JobFailure(status: 400, error: ErrorView(error)))
                }
                switch await batch.submit(through: frontDoor.gateway) {
                case .success(let answer): return Self.reply(status: 200, answer)
                case .failure(let failure): return Self.reply(failure)
                }
            }),
            (Self.getSubject, { request in
                guard let id = Self.jobID(request.data) else { return Self.reply(Self.missingID) }
                return Self.reply(await frontDoor.gateway.job(id: id))
            }),
            (Self.cancelSubject, { request in
                guard let id = Self.jobID(request.data) else { return Self.reply(Self.missingID) }
                return Self.reply(await frontDoor.gateway.cancel(id: id))
            }),
        ]
    }

    /// The id from a payload that is the id itself or `{"id": "…"}`.
    static func jobID(_ data: [UInt8]) -> String? {
        if data.first == UInt8(ascii: "{") {
            guard case .object(let fields)? = JSONValue(parsing: data),
                  case .string(let id)? = fields["id"] else { return nil }
            return id.isEmpty ? nil : id
        }
        let id = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return id.isEmpty ? nil : id
    }

    static let missingID = JobFailure(status: 400, code: "missing_field", field: "id",
                                      message: "the payload must be a job id, or {\"id\": \"…\"}")

    static func reply(_ reply: JobReply) -> NATSReply {
        switch reply {
        case .job(let status, let job): Self.reply(status: status, job)
        case .failure(let failure): Self.reply(failure)
        }
    }

    static func reply(_ failure: JobFailure) -> NATSReply {
        var reply = Self.reply(status: failure.status, failure.error)
        if let seconds = failure.retryAfterSeconds { reply.headers.append((name: "Retry-After", value: "\(seconds)")) }
        return reply
    }

    static func reply(status: Int, _ value: some Encodable) -> NATSReply {
        let data = AnswerJSON.bytes(value) ?? Array(#"{"error":{"code":"internal","message":"encoding failed"}}"#.utf8)
        return NATSReply(data: data, headers: [
            (name: "Tock-Status", value: "\(status)"), (name: "Content-Type", value: "application/json"),
        ])
    }
}
