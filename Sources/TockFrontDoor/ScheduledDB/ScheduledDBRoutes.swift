import Foundation
import Hummingbird
import NIOCore
import TockCore
import TockModel
import TockShard
import TockWire

/// scheduled-db's job API, served over Tock so that a client written for scheduled-db works unchanged.
///
/// What scheduled-db's API is, from its source (github.com/manudiv16/scheduled-db: `internal/api/router.go`,
/// `job_handlers.go`, `handlers.go`, `cluster_handlers.go`; `internal/store/types/{job,status,webhook}.go`,
/// `fsm.go`; `internal/slots/execution_manager.go`; `docs/api-reference.md`, which lags the code):
///
/// - `POST /jobs` takes `{id?, type: "unico"|"recurrente", timestamp?, cron_expression?, last_date?, webhook_url?,
///   payload?: object}`; times are strings, epoch seconds or RFC 3339 or "2006-01-02 15:04:05" (UTC). It answers
///   200 with the job: `{id, type, timestamp?, cron_expression?, last_date?, created_at, webhook_url?, payload?}`,
///   every time in integer Unix seconds, empty fields omitted.
/// - `GET /jobs/{id}` answers the same job; `DELETE /jobs/{id}` answers 204 with no body.
/// - `GET /jobs/{id}/status` answers the execution state `{job_id, status, attempt_count, created_at,
///   first_attempt_at?, last_attempt_at?, completed_at?, cancelled_at?, cancellation_reason?, executing_node_id?,
///   attempts}`; `GET /jobs/{id}/executions` answers `{"attempts": […], "job_id": …}`, each attempt being
///   `{attempt_num, start_time, end_time?, node_id, status, http_status?, response_time_ms?, error_message?,
///   error_type?}`.
/// - `POST /jobs/{id}/cancel` (optional body `{"reason": …}`) answers `{cancelled_at, job_id, status}` and
///   `message` when the job was running; a job already finished cannot be cancelled.
/// - `GET /jobs?status=` lists execution states `{"jobs": […], "total": n}`; `status` is required and one of
///   `pending`, `in_progress`, `completed`, `failed`, `cancelled`, `timeout` (else 400).
/// - `GET /health` answers `{status: "ok", role: "leader"|"follower", node_id, leader?}` (newer versions add
///   optional memory, job-count and execution statistics); `leader` is the leader's Raft address.
/// - `GET /debug/cluster` answers the node's view of its Raft group, `POST /join {node_id, address}` adds a node to
///   it (`ScheduledDBClusterRoutes`).
/// - Errors are `{"error": "<message>"}`: 400 for bad input ("Invalid request body", "Job validation failed: …",
///   "Invalid job data: …"), 404 "Job not found", 500/503 for the store.
/// - The webhook is a POST with `Content-Type: application/json` of `{"data": <payload>, "job_id": …,
///   "timestamp": <send time, Unix s>, "type": …}` (a Go map, so keys sorted and `data` null without a payload);
///   any 2xx is success. Tock sends it for jobs whose `webhook_format` is `scheduled-db`, which every job
///   submitted here is (`ScheduledDBWebhookBody`).
///
/// How Tock answers differently, because it keeps state differently:
/// - Tock never deletes a job: `DELETE /jobs/{id}` cancels it, as `POST /jobs/{id}/cancel` does, and the job stays
///   readable. Deleting a job that already finished answers 204 (it will not run again, which is what a delete
///   guaranteed); cancelling one answers 409.
/// - Statuses are mapped from Tock's states (`ScheduledDBStatus`); `timeout` lists nothing.
/// - The execution history holds the latest attempt only (`ScheduledDBExecutionAttempt`).
/// - A custom `id` is kept as the idempotency key, and the job is read back by the `id` in the answer.
/// - `recurrente` is refused (400, `type`) until Tock has cron schedules.
/// - Listing reads at most `listLimit` jobs; a longer list is cut there, with `Tock-List-Truncated: true`.
/// - `/health` on a shard node tells its real Raft role, but every node takes writes (it forwards them to the
///   leader); a router has no Raft group and always says `leader`.
/// - `/debug/cluster` and `/join` are a shard node's only (a router has no Raft group) and need the `admin` scope
///   when API keys are configured. `/join` takes Tock's optional `http_address`, the new node's HTTP API address,
///   and without it guesses the Raft address's host with this node's HTTP port; a join that fails says why after
///   "Failed to join cluster: ", with Tock's status (409 refused, 503 no leader or not committed).
public enum ScheduledDBRoutes {
    /// How many jobs one `GET /jobs?status=` collects at most, page by page: scheduled-db answers with every job
    /// of a status at once, which over a Tock cluster's history would be unbounded.
    public static let defaultListLimit = 10_000
    static let pageSize = 500

    /// Adds scheduled-db's endpoints to `router`. `nodeID` is what `/health` names this node, and `health` its
    /// answer when it is not always a leader's (a shard node's, from its Raft role); `clock` decides whether a
    /// `unico` timestamp is in the future.
    public static func register(
        on router: Router<TockRequestContext>, gateway: any JobGateway, policy: SubmitPolicy = .init(),
        nodeID: String = "tock", clock: any WallClock = SystemWallClock(), listLimit: Int = defaultListLimit,
        health: (@Sendable () -> ScheduledDBHealthView)? = nil
    ) {
        let maxRequestBytes = policy.maxRequestBytes
        let listLimit = max(1, listLimit)

        router.post("/jobs") { request, context in
            var request = request
            guard let bytes = await request.collectBody(within: maxRequestBytes) else {
                return json(.contentTooLarge, ScheduledDBErrorView("Invalid request body: it is too large"))
            }
            let spec: JobSpec
            do {
                spec = try ScheduledDBRequest.jobSpec(
                    json: bytes.readableBytesView, nowNs: clock.nowNs(), policy: policy)
            } catch let error as FieldError {
                return json(.badRequest, ScheduledDBErrorView(error))
            }
            // 201 (created) and 200 (an `id` seen before) are both scheduled-db's 200.
            return answer(await gateway.submit(spec, as: context.caller)) { json(.ok, ScheduledDBJobView($0)) }
        }

        router.get("/jobs/:id") { _, context in
            answer(await gateway.scheduledDBJob(id: try context.parameters.decoded("id"), as: context.caller)) {
                json(.ok, ScheduledDBJobView($0))
            }
        }

        router.get("/jobs/:id/status") { _, context in
            answer(await gateway.scheduledDBJob(id: try context.parameters.decoded("id"), as: context.caller)) {
                json(.ok, ScheduledDBExecutionState($0))
            }
        }

        router.get("/jobs/:id/executions") { _, context in
            answer(await gateway.scheduledDBJob(id: try context.parameters.decoded("id"), as: context.caller)) {
                json(.ok, ScheduledDBExecutionsView($0))
            }
        }

        router.post("/jobs/:id/cancel") { _, context in
            // The optional `{"reason": …}` is not read: Tock keeps no cancellation reason.
            answer(
                await gateway.scheduledDBCancel(id: try context.parameters.decoded("id"), as: context.caller),
                conflict: "Failed to cancel job"
            ) {
                json(.ok, ScheduledDBCancelView($0))
            }
        }

        router.delete("/jobs/:id") { _, context in
            let reply = await gateway.scheduledDBCancel(id: try context.parameters.decoded("id"), as: context.caller)
            if case .failure(let failure) = reply, failure.status == 409 { return Response(status: .noContent) }
            return answer(reply) { _ in Response(status: .noContent) }
        }

        router.get("/jobs") { request, context in
            guard let text = request.uri.queryParameters.get("status"), !text.isEmpty else {
                return json(.badRequest, ScheduledDBErrorView("status query parameter is required"))
            }
            guard let status = ScheduledDBStatus(rawValue: text) else {
                return json(.badRequest, ScheduledDBErrorView("invalid status parameter"))
            }
            guard let state = status.tockState else { return json(.ok, ScheduledDBJobListView(jobs: [])) }
            var jobs: [JobView] = []
            var cursor: String?
            repeat {
                let query = JobListQuery(state: state, cursor: cursor, limit: min(pageSize, listLimit - jobs.count))
                switch await gateway.list(query, as: context.caller) {
                case .failure(let failure): return self.failure(failure)
                case .page(let page):
                    jobs += page.jobs.prefix(query.limit)
                    cursor = page.next_cursor
                }
            } while cursor != nil && jobs.count < listLimit
            var response = json(.ok, ScheduledDBJobListView(jobs: jobs.map(ScheduledDBExecutionState.init)))
            if cursor != nil { response.headers[.init("Tock-List-Truncated")!] = "true" }
            return response
        }

        router.get("/health") { _, _ in json(.ok, health?() ?? ScheduledDBHealthView(nodeID: nodeID)) }
    }

    /// A job reply as `render` shows it, or the failure in scheduled-db's words. `conflict` is the message for a
    /// 409 (a finished job), which scheduled-db has no status of its own for.
    static func answer(_ reply: JobReply, conflict: String? = nil, render: (JobView) -> Response) -> Response {
        switch reply {
        case .job(_, let job): return render(job)
        case .failure(var failure):
            if failure.status == 409, let conflict {
                failure.error.error.message = "\(conflict): \(failure.error.error.message)"
            }
            return self.failure(failure)
        }
    }

    /// Tock's failure with scheduled-db's body; a 503 keeps its `Retry-After`.
    static func failure(_ failure: JobFailure) -> Response {
        let message = failure.status == 404 ? "Job not found" : failure.error.error.message
        var response = json(HTTPResponse.Status(code: failure.status), ScheduledDBErrorView(message))
        if let seconds = failure.retryAfterSeconds { response.headers[.retryAfter] = "\(seconds)" }
        return response
    }

    /// Like Go's `json.Encoder`: compact, one line, a trailing newline. Keys are sorted, which is the order Go
    /// writes its maps in; JSON readers do not depend on it.
    static func json(_ status: HTTPResponse.Status, _ value: some Encodable) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var buffer = ByteBuffer()
        buffer.writeBytes((try? encoder.encode(value)) ?? Data(#"{"error":"could not encode the answer"}"#.utf8))
        buffer.writeString("\n")
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: buffer))
    }
}
