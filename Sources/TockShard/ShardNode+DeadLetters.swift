import TockCore
import TockModel
import TockWire

/// What a bulk action (`POST /v1/jobs:retry`, `POST /v1/jobs:cancel`) did on one shard.
public struct BulkActionResult: Sendable, Equatable {
    /// Jobs retried (or cancelled) by this call.
    public var affected: Int
    /// The id the next call continues after; nil when no later job can match.
    public var resumeAfter: String?

    public init(affected: Int, resumeAfter: String?) {
        self.affected = affected
        self.resumeAfter = resumeAfter
    }
}

/// Listing by filter, retrying a finished job, and acting on the jobs a filter matches a bounded batch at a time.
extension ShardNode {
    /// The most jobs one bulk call acts on in one shard: one log entry for a retry, as many cancels.
    public static let maxBulkLimit = 1000

    /// Up to `limit` jobs matching `filter` after `afterID`, in id order, read linearizably, and where the next
    /// page goes on (`JobListing`: a page examines a bounded number of jobs).
    public func jobs(_ filter: JobFilter, afterID: String?, limit: Int) async throws
        -> (jobs: [Job], resumeAfter: String?)
    {
        try await log.readBarrier()
        let page = try await database.read { db in try JobListing.page(filter, afterID: afterID, limit: limit, in: db) }
        return (page.jobs, page.resumeAfter)
    }

    /// Runs a finished one-time job again as a new run due now: `.changed` with the job, `.existing` when another
    /// retry got there first, `.conflict` for a job still scheduled or published or a recurring one, `.notFound`.
    public func retry(id: String) async throws -> ApplyResult {
        guard let job = try await job(id: id) else { return .notFound }
        guard JobStateMachine.isRetryable(job) else { return .conflict(job) }
        let result = try await log.propose(.retryJob([RunKey(jobID: id, run: job.run)], atNs: clock.nowNs()))
        guard case .batch(let results) = result, results.count == 1, let only = results.first else { return result }
        return only
    }

    /// Retries up to `limit` one-time jobs matching `filter` after `afterID`, with one log entry.
    public func retry(matching filter: JobFilter, afterID: String?, limit: Int) async throws -> BulkActionResult {
        var filter = filter
        filter.oneTimeOnly = true
        let page = try await jobs(filter, afterID: afterID, limit: min(max(limit, 1), Self.maxBulkLimit))
        let runs = page.jobs.filter(JobStateMachine.isRetryable).map { RunKey(jobID: $0.id, run: $0.run) }
        guard !runs.isEmpty else { return BulkActionResult(affected: 0, resumeAfter: page.resumeAfter) }
        let result = try await log.propose(.retryJob(runs, atNs: clock.nowNs()))
        let retried: Int
        if case .batch(let results) = result {
            retried = results.count { if case .changed = $0 { true } else { false } }
        } else {
            retried = 0
        }
        return BulkActionResult(affected: retried, resumeAfter: page.resumeAfter)
    }

    /// Cancels up to `limit` jobs matching `filter` after `afterID` (those scheduled or published; a cancel is one
    /// log entry each, committed together).
    public func cancel(matching filter: JobFilter, afterID: String?, limit: Int) async throws -> BulkActionResult {
        let page = try await jobs(filter, afterID: afterID, limit: min(max(limit, 1), Self.maxBulkLimit))
        let ids = page.jobs.filter { $0.state == .scheduled || $0.state == .published }.map(\.id)
        let now = clock.nowNs()
        let log = self.log
        let cancelled = try await withThrowingTaskGroup(of: Bool.self) { group in
            for id in ids {
                group.addTask {
                    guard case .cancelled(let job) = try await log.propose(.cancelJob(jobID: id, atNs: now)) else {
                        return false
                    }
                    return job.cancelledAtNs == now
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        return BulkActionResult(affected: cancelled, resumeAfter: page.resumeAfter)
    }
}
