import TockAuth
import TockCore
import TockModel
import TockShard
import TockWire

/// The job API as every front end (HTTP, NATS, the scheduled-db compatible API) sees it: each call reaches the
/// shard that owns the job — this node's own if it owns the job and leads, else the owning leader — and comes
/// back as a reply that front end only has to encode.
///
/// Every call names its `Caller`: a job belongs to the caller's tenant, and a caller sees only its own tenant's
/// jobs (an admin sees all); a job of another tenant is "not found". A call forwarded to another node carries the
/// caller's credential, so the node that acts authenticates the caller itself.
public protocol JobGateway: Sendable {
    /// Stores a validated job on its shard (`spec.id` is ignored; the owning shard assigns one). 201 with the new
    /// job, or 200 with the existing one for an idempotency key already seen.
    func submit(_ spec: JobSpec, as caller: Caller) async -> JobReply
    /// Stores validated jobs with one log entry per owning shard (`spec.id`s are ignored), so a batch costs each
    /// shard one commit. One reply per spec, in order, as `submit` answers: 201, 200 for a key already seen
    /// (earlier in the same batch too), or that job's own failure. `.failure` only when the batch failed as a
    /// whole, e.g. a node asked to store it does not lead.
    func submit(batch specs: [JobSpec], as caller: Caller) async -> JobBatchReply
    /// 200 with the job, or 404.
    func job(id: String, as caller: Caller) async -> JobReply
    /// 200 with the cancelled job, 404, or 409 for a job that already finished.
    func cancel(id: String, as caller: Caller) async -> JobReply
    /// One page of jobs across every shard, oldest first.
    func list(_ query: JobListQuery, as caller: Caller) async -> JobListReply
    /// 200 with the paused recurring job, 404, or 409 for a job with no runs left to pause.
    func pause(id: String, as caller: Caller) async -> JobReply
    /// 200 with the resumed job (its next run the first occurrence from now), 404, or 409.
    func resume(id: String, as caller: Caller) async -> JobReply
    /// 200 with a page of the job's runs, or 404.
    func runs(id: String, _ page: RunsPage, as caller: Caller) async -> JobRunsReply
    /// How many of the caller's jobs (an admin's: all jobs) are in each state, across every shard.
    func counts(as caller: Caller) async -> JobCountsReply
    /// 200 with the job as a new run due now, 404, or 409 for a job still scheduled or published, or recurring.
    func retry(id: String, as caller: Caller) async -> JobReply
    /// Retries or cancels the jobs `query` matches, at most `query.limit` on each shard; how many, and the cursor
    /// to go on from.
    func bulk(_ action: BulkAction, _ query: JobListQuery, as caller: Caller) async -> BulkReply
}

/// The answer to one job call, whichever node produced it. A failure carries the HTTP status the HTTP API
/// answers with; NATS replies carry the same status in a header.
public enum JobReply: Sendable, Equatable {
    case job(status: Int, JobView)
    case failure(JobFailure)
}

public enum JobBatchReply: Sendable, Equatable {
    case replies([JobReply])
    case failure(JobFailure)
}

public enum JobListReply: Sendable, Equatable {
    case page(JobPage)
    case failure(JobFailure)
}

/// `GET /v1/jobs:counts`: jobs by state, in all and per shard.
public struct JobCounts: Codable, Sendable, Equatable {
    public var total: [String: Int]
    public var shards: [String: [String: Int]]

    public init(total: [String: Int], shards: [String: [String: Int]]) {
        self.total = total
        self.shards = shards
    }
}

public enum JobCountsReply: Sendable, Equatable {
    case counts(JobCounts)
    case failure(JobFailure)
}

extension JobCountsReply: GatewayReply {
    public var failure: JobFailure? {
        if case .failure(let failure) = self { failure } else { nil }
    }
}

public enum JobRunsReply: Sendable, Equatable {
    case runs(JobRunsView)
    case failure(JobFailure)
}

/// What every reply has in common: it may be a failure.
public protocol GatewayReply: Sendable {
    var failure: JobFailure? { get }
}

extension JobReply: GatewayReply {
    public var failure: JobFailure? {
        if case .failure(let failure) = self { failure } else { nil }
    }
}

extension JobBatchReply: GatewayReply {
    public var failure: JobFailure? {
        if case .failure(let failure) = self { failure } else { nil }
    }
}

extension JobRunsReply: GatewayReply {
    public var failure: JobFailure? {
        if case .failure(let failure) = self { failure } else { nil }
    }
}

extension JobListReply: GatewayReply {
    public var failure: JobFailure? {
        if case .failure(let failure) = self { failure } else { nil }
    }
}

/// An error answer: the status, the JSON error body, and for 503s how long to wait before retrying.
public struct JobFailure: Error, Sendable, Equatable {
    public var status: Int
    public var error: ErrorView
    public var retryAfterSeconds: Int?
    /// For `not_leader`: the HTTP address of the node this one believes leads, so a forwarder can go there next.
    public var leaderHint: HostPort?

    public init(status: Int, error: ErrorView, retryAfterSeconds: Int? = nil) {
        self.status = status
        self.error = error
        self.retryAfterSeconds = retryAfterSeconds
    }

    public init(status: Int, code: String, field: String? = nil, message: String, retryAfterSeconds: Int? = nil) {
        self.init(
            status: status, error: ErrorView(code: code, field: field, message: message),
            retryAfterSeconds: retryAfterSeconds)
    }
}

/// `GET /v1/jobs?state=&priority=&host=&since=&until=&idempotency_key=&cursor=&limit=`, and the filter of a bulk
/// action.
public struct JobListQuery: Sendable, Equatable {
    public var state: JobState?
    public var priority: Priority?
    /// Only jobs whose URL has this host (`JobFilter.host(parsing:)`).
    public var host: String?
    /// Only jobs last updated at or after this time (`since`), and before this one (`until`).
    public var updatedSinceNs: Int64?
    public var updatedUntilNs: Int64?
    /// Only the job submitted with this key (at most one), looked up on the key's shard alone.
    public var idempotencyKey: String?
    /// Only this tenant's jobs: for an admin, who sees every tenant's; a caller of a tenant sees its own alone
    /// whatever this says.
    public var tenant: String?
    /// The `next_cursor` of the previous page; nil for the first.
    public var cursor: String?
    public var limit: Int

    public init(
        state: JobState? = nil, priority: Priority? = nil, idempotencyKey: String? = nil,
        tenant: String? = nil, cursor: String? = nil, limit: Int = 100
    ) {
        self.state = state
        self.priority = priority
        self.idempotencyKey = idempotencyKey
        self.tenant = tenant
        self.cursor = cursor
        self.limit = limit
    }
}

public struct JobPage: Codable, Sendable, Equatable {
    public var jobs: [JobView]
    /// Pass as `cursor` for the next page; absent on the last page.
    public var next_cursor: String?

    public init(jobs: [JobView], next_cursor: String?) {
        self.jobs = jobs
        self.next_cursor = next_cursor
    }
}
