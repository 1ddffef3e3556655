import TockAuth
import TockCore
import TockModel
import TockShard
import TockWire

/// The job calls this node serves from its own shard. It must lead: a follower answers 503 `not_leader` with
/// the leader's HTTP address, so whoever forwarded the call can go there directly.
struct LocalShardJobs: JobGateway {
    let node: ShardNode

    var shard: UInt32 { node.configuration.shard }

    /// The job belongs to the caller's tenant, whatever the spec (a forwarded protobuf) said.
    func submit(_ spec: JobSpec, as caller: Caller) async -> JobReply {
        var spec = spec
        spec.tenant = caller.tenant
        return await reply { Self.submitted(try await node.submit(spec)) }
    }

    /// Every job on this node's shard, as one log entry: whoever called chose this shard for all of them.
    func submit(batch specs: [JobSpec], as caller: Caller) async -> JobBatchReply {
        guard !specs.isEmpty else { return .replies([]) }
        let specs = specs.map { spec in
            var spec = spec
            spec.tenant = caller.tenant
            return spec
        }
        do {
            let result = try await node.submit(batch: specs)
            guard case .batch(let results) = result, results.count == specs.count else {
                return .failure(Self.unexpected(result))
            }
            return .replies(results.map(Self.submitted))
        } catch {
            return .failure(failure(error))
        }
    }

    private static func submitted(_ result: ApplyResult) -> JobReply {
        switch result {
        case .created(let job): .job(status: 201, JobView(job))
        case .existing(let job): .job(status: 200, JobView(job))
        case .rejected(let problem): .failure(JobFailure(status: 400, error: ErrorView(problem)))
        case let other: .failure(unexpected(other))
        }
    }

    func job(id: String, as caller: Caller) async -> JobReply {
        await reply {
            guard let job = try await node.job(id: id), caller.sees(tenant: job.tenant) else {
                return .failure(Self.notFound(id))
            }
            return .job(status: 200, JobView(job))
        }
    }

    /// Whether the caller may act on job `id`: an admin always (the command finds out whether it exists); anyone
    /// else when the job is its tenant's. A job's tenant never changes, so the answer cannot go stale before the
    /// command that follows it applies.
    private func mayChange(_ id: String, as caller: Caller) async throws -> Bool {
        if caller.allows(.admin) { return true }
        guard let job = try await node.job(id: id) else { return false }
        return caller.sees(tenant: job.tenant)
    }

    func cancel(id: String, as caller: Caller) async -> JobReply {
        await reply {
            guard try await mayChange(id, as: caller) else { return .failure(Self.notFound(id)) }
            return switch try await node.cancel(id: id) {
            case .cancelled(let job): .job(status: 200, JobView(job))
            case .notFound: .failure(Self.notFound(id))
            case .conflict(let job):
                .failure(
                    JobFailure(
                        status: 409, code: "conflict", field: "id",
                        message: "job \(id) already \(job.state.rawValue)"))
            case let other: .failure(Self.unexpected(other))
            }
        }
    }

    func pause(id: String, as caller: Caller) async -> JobReply {
        await reply {
            guard try await mayChange(id, as: caller) else { return .failure(Self.notFound(id)) }
            return Self.changed(try await node.pause(id: id), id: id, verb: "pause")
        }
    }

    func resume(id: String, as caller: Caller) async -> JobReply {
        await reply {
            guard try await mayChange(id, as: caller) else { return .failure(Self.notFound(id)) }
            return Self.changed(try await node.resume(id: id), id: id, verb: "resume")
        }
    }

    func runs(id: String, _ page: RunsPage, as caller: Caller) async -> JobRunsReply {
        do {
            guard let (job, runs) = try await node.runs(of: id, page), caller.sees(tenant: job.tenant) else {
                return .failure(Self.notFound(id))
            }
            return .runs(JobRunsView(job: job, runs: runs, page: page))
        } catch {
            return .failure(failure(error))
        }
    }

    func retry(id: String, as caller: Caller) async -> JobReply {
        await reply {
            guard try await mayChange(id, as: caller) else { return .failure(Self.notFound(id)) }
            return switch try await node.retry(id: id) {
            case .changed(let job), .existing(let job): .job(status: 200, JobView(job))
            case .notFound: .failure(Self.notFound(id))
            case .conflict(let job): .failure(Self.notRetryable(job))
            case let other: .failure(Self.unexpected(other))
            }
        }
    }

    static func notRetryable(_ job: Job) -> JobFailure {
        let message =
            if job.schedule != nil {
                job.state == .scheduled
                    ? "job \(job.id) is recurring and its schedule is live: it runs again at its next occurrence "
                        + "(pause and resume it to move that); only one-time jobs are retried"
                    : "job \(job.id) is recurring and \(job.state.rawValue); only one-time jobs are retried: submit "
                        + "it again to start a new schedule"
            } else {
                "job \(job.id) is \(job.state.rawValue): only a failed, succeeded or cancelled job can be retried"
            }
        return JobFailure(status: 409, code: "conflict", field: "id", message: message)
    }

    /// This shard's part of a bulk action: from its position in the cursor (from the start without one; nothing
    /// when the cursor names other shards only).
    func bulk(_ action: BulkAction, _ query: JobListQuery, as caller: Caller) async -> BulkReply {
        var after: String?
        if let text = query.cursor {
            guard let cursor = BulkCursor(text) else { return .failure(Self.badCursor) }
            guard let position = cursor.positions[shard] else {
                return .done(BulkAnswer(affected: 0, next_cursor: nil))
            }
            after = position
        }
        let filter = query.filter(states: action.states(query), as: caller)
        do {
            let result: BulkActionResult
            switch action {
            case .retry: result = try await node.retry(matching: filter, afterID: after, limit: query.limit)
            case .cancel: result = try await node.cancel(matching: filter, afterID: after, limit: query.limit)
            }
            return .done(BulkAnswer(affected: result.affected, next_cursor: result.resumeAfter))
        } catch {
            return .failure(failure(error))
        }
    }

    /// This shard's counts of the caller's jobs (an admin's: of all).
    func counts(as caller: Caller) async -> JobCountsReply {
        do {
            let counts = try await node.jobCounts(tenant: caller.allows(.admin) ? nil : caller.tenant)
            let byState = Dictionary(uniqueKeysWithValues: JobState.allCases.map { ($0.rawValue, counts[$0] ?? 0) })
            return .counts(JobCounts(total: byState, shards: ["\(shard)": byState]))
        } catch {
            return .failure(failure(error))
        }
    }

    private static func changed(_ result: ApplyResult, id: String, verb: String) -> JobReply {
        switch result {
        case .changed(let job): .job(status: 200, JobView(job))
        case .notFound: .failure(notFound(id))
        case .conflict(let job):
            .failure(
                JobFailure(
                    status: 409, code: "conflict", field: "id",
                    message: job.schedule == nil
                        ? "job \(id) runs once; only a recurring job can \(verb)"
                        : "job \(id) is \(job.state.rawValue) and has no runs left to \(verb)"))
        case let other: .failure(unexpected(other))
        }
    }

    /// This shard's part of a listing: its jobs after the cursor's position, in id order, and in `next_cursor`
    /// where this shard goes on (nil when it has nothing more); the cursor of the merged page is left to whoever
    /// merges the shards' parts.
    func list(_ query: JobListQuery, as caller: Caller) async -> JobListReply {
        var after: ListCursor?
        if let cursor = query.cursor {
            guard let parsed = ListCursor(cursor) else { return .failure(Self.badCursor) }
            after = parsed
        }
        let tenant = caller.allows(.admin) ? query.tenant : caller.tenant
        do {
            if let key = query.idempotencyKey {
                let job = try await node.job(idempotencyKey: key, tenant: tenant ?? caller.tenant)
                return .page(JobPage(jobs: job.map { [JobView($0)] } ?? [], next_cursor: nil))
            }
            let filter = query.filter(states: query.state.map { [$0] } ?? [], as: caller)
            let (jobs, resumeAfter) = try await node.jobs(
                filter, afterID: after?.id(inShard: shard),
                limit: query.limit)
            return .page(JobPage(jobs: jobs.map(JobView.init), next_cursor: resumeAfter))
        } catch {
            return .failure(failure(error))
        }
    }

    static let badCursor = JobFailure(
        status: 400, code: "invalid", field: "cursor",
        message: "cursor must be the next_cursor of a previous page")

    private func reply(_ body: () async throws -> JobReply) async -> JobReply {
        do {
            return try await body()
        } catch {
            return .failure(failure(error))
        }
    }

    /// Anything but a definite answer is a 503: the client retries, and only an idempotency key makes a retried
    /// submit safe when the outcome is unknown.
    func failure(_ error: any Error) -> JobFailure {
        switch error {
        case RaftDriverError.notLeader(let leader):
            var failure = JobFailure(
                status: 503, code: "not_leader",
                message: "node \(node.cluster.node) does not lead shard \(shard); the leader is \(leader ?? "unknown")",
                retryAfterSeconds: 1)
            failure.leaderHint = leader.flatMap(node.httpAddress(of:))
            return failure
        case RaftDriverError.storageFull:
            return JobFailure(
                status: 503, code: "storage_full",
                message: "node \(node.cluster.node) of shard \(shard) cannot write: its disk is full. "
                    + "Nothing was stored; retry once space is freed", retryAfterSeconds: 5)
        case RaftDriverError.outcomeUnknown:
            return JobFailure(
                status: 503, code: "outcome_unknown",
                message: "the request may or may not have taken effect; retry with the same "
                    + "idempotency_key", retryAfterSeconds: 1)
        default:
            return JobFailure(status: 503, code: "unavailable", message: "\(error)", retryAfterSeconds: 1)
        }
    }

    static func notFound(_ id: String) -> JobFailure {
        JobFailure(status: 404, code: "not_found", field: "id", message: "no job with id \(id)")
    }

    static func unexpected(_ result: ApplyResult) -> JobFailure {
        // The case alone: its payload is a whole job, secret header values included.
        let kind = String(describing: result).prefix { $0 != "(" }
        return JobFailure(status: 500, code: "internal", message: "unexpected result \(kind)")
    }
}
