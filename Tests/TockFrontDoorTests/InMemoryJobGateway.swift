import Synchronization
import TockAuth
import TockCore
import TockFrontDoor
import TockModel
import TockWire

@testable import TockShard

/// A `JobGateway` over a dictionary, with the real gateway's answers (201/200 on submit, 404, 409 for cancelling a
/// finished job, pages with a cursor), so the routes can be tested without shards. Tests move jobs along with
/// `update`. Callers are not told apart: tenants are the real gateway's (`TenantIsolationTests`).
final class InMemoryJobGateway: JobGateway {
    private struct State {
        var jobs: [String: Job] = [:]
        var order: [String] = []
        var submitted: [JobSpec] = []
        var listQueries: [JobListQuery] = []
        var unavailable: JobFailure?
    }

    private let state = Mutex(State())
    let nowNs: Int64

    init(nowNs: Int64) {
        self.nowNs = nowNs
    }

    var submitted: [JobSpec] { state.withLock { $0.submitted } }
    var listQueries: [JobListQuery] { state.withLock { $0.listQueries } }

    /// While set, every call fails with it (a shard without a leader, say).
    func failEveryCall(with failure: JobFailure?) {
        state.withLock { $0.unavailable = failure }
    }

    func update(_ id: String, _ change: (inout Job) -> Void) {
        state.withLock { state in
            if var job = state.jobs[id] {
                change(&job)
                state.jobs[id] = job
            }
        }
    }

    func submit(_ spec: JobSpec, as caller: Caller = .open) async -> JobReply {
        state.withLock { state in
            if let failure = state.unavailable { return .failure(failure) }
            state.submitted.append(spec)
            if !spec.idempotencyKey.isEmpty,
                let existing = state.jobs.values.first(where: { $0.idempotencyKey == spec.idempotencyKey })
            {
                return .job(status: 200, JobView(existing))
            }
            let id = "0-\(String(state.order.count + 1))"
            let job = Job(
                id: id, shard: 0, state: .scheduled, priority: spec.priority, target: spec.target,
                timeoutMs: spec.timeoutMs, maxAttempts: spec.maxAttempts, idempotencyKey: spec.idempotencyKey,
                run: 1, dueAtNs: spec.dueAtNs, createdAtNs: nowNs, updatedAtNs: nowNs, publishedAtNs: nil,
                streamSequence: nil, finishedAtNs: nil, cancelledAtNs: nil, attempts: 0, lastStatus: nil,
                lastError: nil, executorID: nil, webhookFormat: spec.webhookFormat)
            state.jobs[id] = job
            state.order.append(id)
            return .job(status: 201, JobView(job))
        }
    }

    /// One shard here, so the batch is one part: a failure set with `failEveryCall` fails it whole, as a shard
    /// without a leader would.
    func submit(batch specs: [JobSpec], as caller: Caller) async -> JobBatchReply {
        if let failure = state.withLock({ $0.unavailable }) { return .failure(failure) }
        var replies: [JobReply] = []
        for spec in specs { replies.append(await submit(spec, as: caller)) }
        return .replies(replies)
    }

    func job(id: String, as caller: Caller) async -> JobReply {
        if let failure = state.withLock({ $0.unavailable }) { return .failure(failure) }
        guard let job = state.withLock({ $0.jobs[id] }) else { return .failure(Self.notFound(id)) }
        return .job(status: 200, JobView(job))
    }

    func cancel(id: String, as caller: Caller) async -> JobReply {
        state.withLock { state in
            if let failure = state.unavailable { return .failure(failure) }
            guard var job = state.jobs[id] else { return .failure(Self.notFound(id)) }
            switch job.state {
            case .succeeded, .failed:
                return .failure(
                    JobFailure(
                        status: 409, code: "conflict", field: "id",
                        message: "job \(id) already \(job.state.rawValue)"))
            case .cancelled: return .job(status: 200, JobView(job))
            case .scheduled, .published:
                job.state = .cancelled
                job.cancelledAtNs = nowNs
                state.jobs[id] = job
                return .job(status: 200, JobView(job))
            }
        }
    }

    /// The cursor is the index of the next job in submit order.
    func list(_ query: JobListQuery, as caller: Caller) async -> JobListReply {
        state.withLock { state in
            if let failure = state.unavailable { return .failure(failure) }
            state.listQueries.append(query)
            let matching = state.order.compactMap { state.jobs[$0] }.filter { job in
                (query.state.map { job.state == $0 } ?? true)
                    // Or its id: this gateway's ids ("0-1") are not Tock ids, so the routes look them up as keys.
                    && (query.idempotencyKey.map { job.idempotencyKey == $0 || job.id == $0 } ?? true)
            }
            let start = query.cursor.flatMap(Int.init) ?? 0
            let end = min(start + query.limit, matching.count)
            let page = matching[min(start, end)..<end].map(JobView.init)
            return .page(JobPage(jobs: page, next_cursor: end < matching.count ? String(end) : nil))
        }
    }

    // The scheduled-db routes never pause, resume or list runs.
    func pause(id: String, as caller: Caller) async -> JobReply { .failure(Self.notFound(id)) }
    func resume(id: String, as caller: Caller) async -> JobReply { .failure(Self.notFound(id)) }
    func runs(id: String, _ page: RunsPage, as caller: Caller) async -> JobRunsReply { .failure(Self.notFound(id)) }
    func counts(as caller: Caller) async -> JobCountsReply { .counts(JobCounts(total: [:], shards: [:])) }

    func retry(id: String, as caller: Caller) async -> JobReply {
        state.withLock { state in
            if let failure = state.unavailable { return .failure(failure) }
            guard var job = state.jobs[id] else { return .failure(Self.notFound(id)) }
            guard job.state == .failed || job.state == .succeeded || job.state == .cancelled else {
                return .failure(
                    JobFailure(
                        status: 409, code: "conflict", field: "id",
                        message: "job \(id) is \(job.state.rawValue)"))
            }
            job.state = .scheduled
            job.run += 1
            state.jobs[id] = job
            return .job(status: 200, JobView(job))
        }
    }

    /// Acts on every matching job at once: one shard, and tests with a handful of jobs.
    func bulk(_ action: BulkAction, _ query: JobListQuery, as caller: Caller) async -> BulkReply {
        var affected = 0
        for id in state.withLock({ $0.order }) {
            guard let job = state.withLock({ $0.jobs[id] }), query.state.map({ job.state == $0 }) ?? true else {
                continue
            }
            let reply: JobReply
            if action == .retry {
                reply = await retry(id: id, as: caller)
            } else {
                reply = await cancel(id: id, as: caller)
            }
            if case .job = reply { affected += 1 }
        }
        return .done(BulkAnswer(affected: affected, next_cursor: nil))
    }

    static func notFound(_ id: String) -> JobFailure {
        JobFailure(status: 404, code: "not_found", field: "id", message: "no job with id \(id)")
    }
}
