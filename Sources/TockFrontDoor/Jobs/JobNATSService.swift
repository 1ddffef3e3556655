import Logging
import TockAuth
import TockCore
import TockModel
import TockNATS
import TockShard
import TockWire

/// The job API over NATS request/reply, served by every shard node and router in one queue group, so each
/// request reaches one of them and is routed like an HTTP call:
///
/// - `tock.submit`: the JSON of `POST /v1/jobs`, or a protobuf `tock.v1.JobSpec` with header
///   `Content-Type: application/protobuf`;
/// - `tock.submit.batch`: the JSON of `POST /v1/jobs:batch`;
/// - `tock.get`, `tock.cancel`, `tock.retry`: the job id as the payload (or `{"id": "…"}`);
/// - `tock.retry.bulk`, `tock.cancel.bulk`: the JSON filter of `POST /v1/jobs:retry` and `POST /v1/jobs:cancel`.
///
/// The reply is the HTTP API's JSON body, sent only once the answer is final (for a submit, after the Raft
/// commit); its `Tock-Status` header carries the HTTP status, and a 503 also `Retry-After`. Errors are always
/// a JSON error body, never silence — except for a request without a reply subject, which has nobody to answer
/// and is dropped unserved. Every request refused before it reaches a shard (`JobNATSEnvelope`, or a payload
/// its subject's parser rejects) is logged and, on a shard node, counted in `tock_shard_messages_rejected_total`.
///
/// With `--auth-file`, a request authenticates as an HTTP call does: a header `Authorization: Bearer <key>`, with
/// the scope the same call needs over HTTP; without it the reply is the HTTP API's 401 or 403.
public final class JobNATSService: Sendable {
    public static let queue = "tock-api"
    public static let submitSubject = Subjects.submit
    public static let batchSubject = Subjects.submitBatch
    public static let getSubject = Subjects.get
    public static let cancelSubject = Subjects.cancel
    public static let retrySubject = Subjects.retry
    public static let retryBulkSubject = Subjects.retryBulk
    public static let cancelBulkSubject = Subjects.cancelBulk

    private let frontDoor: FrontDoor
    private let link: NATSLink
    private let logger: Logger
    /// A shard node's metrics; nil on a router, which exports none (its refusals are only logged).
    private let metrics: ShardMetrics?

    public init(
        frontDoor: FrontDoor, natsURL: String, natsSecurity: NATSSecurity = NATSSecurity(), name: String,
        logger: Logger
    ) {
        self.frontDoor = frontDoor
        link = NATSLink(url: natsURL, security: natsSecurity, name: name, logger: logger)
        self.logger = logger
        metrics = frontDoor.local?.node.metrics
    }

    /// Serves until the task is cancelled (waiting for NATS if it is down), then drains: requests already taken
    /// are answered before it returns.
    public func run() async throws {
        var services: [NATSService] = []
        do {
            for endpoint in endpoints() {
                services.append(
                    try await link.serve(subject: endpoint.subject, queue: Self.queue) { request in
                        await self.answer(request, endpoint)
                    })
            }
            logger.info(
                "job API serving on NATS",
                metadata: [
                    "subjects": "\(endpoints().map(\.subject).joined(separator: ", "))",
                    "queue": "\(Self.queue)",
                ])
            while true { try await Task.sleep(for: .seconds(3600)) }
        } catch {
            // Together: each stop may wait its whole timeout (handlers still running), and one after the other
            // they would add up past any stop timeout a supervisor allows.
            await withTaskGroup(of: Void.self) { group in
                for service in services { group.addTask { await service.stop() } }
            }
            await link.close()
            if error is CancellationError { return }
            throw error
        }
    }

    /// One subject of the API: the largest payload it reads, and its call, which throws only while parsing the
    /// payload (a refusal), never once the call has gone to a shard.
    struct Endpoint: Sendable {
        var subject: String
        var maxBytes: Int
        var access: Access
        var call: @Sendable (NATSRequest, Caller) async throws(FieldError) -> NATSReply
    }

    func endpoints() -> [Endpoint] {
        let frontDoor = self.frontDoor
        return [
            Endpoint(
                subject: Self.submitSubject, maxBytes: frontDoor.policy.maxRequestBytes, access: .scope(.jobsWrite)
            ) {
                request, caller throws(FieldError) in
                let spec = try frontDoor.parseSubmit(request.data, contentType: request.header("content-type"))
                return Self.reply(await frontDoor.gateway.submit(spec, as: caller))
            },
            Endpoint(subject: Self.batchSubject, maxBytes: JobBatch.maxBodyBytes, access: .scope(.jobsWrite)) {
                request, caller throws(FieldError) in
                let batch = try JobBatch.parse(json: request.data, nowNs: frontDoor.nowNs(), policy: frontDoor.policy)
                switch await batch.submit(through: frontDoor.gateway, as: caller) {
                case .success(let answer): return Self.reply(status: 200, answer)
                case .failure(let failure): return Self.reply(failure)
                }
            },
            Endpoint(subject: Self.getSubject, maxBytes: JobIDPayload.maxBytes, access: .scope(.jobsRead)) {
                request, caller throws(FieldError) in
                let id = try JobIDPayload.parse(request.data)
                return Self.reply(await frontDoor.gateway.job(id: id, as: caller))
            },
            Endpoint(subject: Self.cancelSubject, maxBytes: JobIDPayload.maxBytes, access: .scope(.jobsWrite)) {
                request, caller throws(FieldError) in
                let id = try JobIDPayload.parse(request.data)
                return Self.reply(await frontDoor.gateway.cancel(id: id, as: caller))
            },
            Endpoint(subject: Self.retrySubject, maxBytes: JobIDPayload.maxBytes, access: .scope(.jobsWrite)) {
                request, caller throws(FieldError) in
                let id = try JobIDPayload.parse(request.data)
                return Self.reply(await frontDoor.gateway.retry(id: id, as: caller))
            },
        ]
            + [(Self.retryBulkSubject, BulkAction.retry), (Self.cancelBulkSubject, .cancel)].map { subject, action in
                Endpoint(subject: subject, maxBytes: BulkAction.maxBodyBytes, access: .scope(.jobsWrite)) {
                    request, caller throws(FieldError) in
                    let query = try action.parse(request.data, nowNs: frontDoor.nowNs())
                    return switch await frontDoor.gateway.bulk(action, query, as: caller) {
                    case .done(let answer): Self.reply(status: 200, answer)
                    case .failure(let failure): Self.reply(failure)
                    }
                }
            }
    }

    /// The reply to one request: its call's, or the error that refused it (counted).
    func answer(_ request: NATSRequest, _ endpoint: Endpoint) async -> NATSReply {
        do {
            try JobNATSEnvelope.check(request, maxBytes: endpoint.maxBytes)
        } catch {
            refused(request, error)
            return error.reason == .noReply ? NATSReply() : Self.reply(JobNATSEnvelope.failure(error))
        }
        let caller: Caller
        switch frontDoor.guardian.admit(authorization: request.header("authorization"), to: endpoint.access) {
        case .success(let admitted):
            caller = admitted
        case .failure(let denial):
            logger.info(
                "NATS request denied",
                metadata: [
                    "subject": "\(request.subject)", "status": "\(denial.status)", "error": "\(denial)",
                ])
            return Self.reply(JobFailure(status: denial.status, code: denial.code, message: denial.description))
        }
        do {
            return try await endpoint.call(request, caller)
        } catch {
            refused(request, MessageProblem(JobNATSEnvelope.reason(error), field: error.field, error.message))
            return Self.reply(JobFailure(status: 400, error: ErrorView(error)))
        }
    }

    private func refused(_ request: NATSRequest, _ problem: MessageProblem) {
        metrics?.rejected(subject: request.subject, problem.reason)
        logger.info(
            "NATS request refused",
            metadata: [
                "subject": "\(request.subject)", "reason": "\(problem.reason.rawValue)", "error": "\(problem)",
            ])
    }

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
        return NATSReply(
            data: data,
            headers: [
                (name: "Tock-Status", value: "\(status)"), (name: "Content-Type", value: "application/json"),
            ])
    }
}
