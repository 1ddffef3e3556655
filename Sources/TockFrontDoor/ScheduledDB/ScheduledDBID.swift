import TockAuth
import TockCore
import TockShard

extension JobView {
    /// The id a scheduled-db client knows the job by: its own, when it chose one (Tock keeps it as the idempotency
    /// key), else Tock's.
    var scheduledDBID: String {
        webhook_format == WebhookFormatName.scheduledDB ? idempotency_key ?? id : id
    }
}

enum WebhookFormatName {
    static let scheduledDB = "scheduled-db"
}

extension JobGateway {
    /// The job a scheduled-db path names: by Tock id, or by the client's own id (its idempotency key).
    func scheduledDBJob(id: String, as caller: Caller) async -> JobReply {
        guard JobID.shard(of: id) == nil else { return await job(id: id, as: caller) }
        switch await list(JobListQuery(idempotencyKey: id, limit: 1), as: caller) {
        case .failure(let failure): return .failure(failure)
        case .page(let page):
            guard let job = page.jobs.first else {
                return .failure(
                    JobFailure(status: 404, code: "not_found", field: "id", message: "no job with id \(id)"))
            }
            return .job(status: 200, job)
        }
    }

    /// Cancels the job a scheduled-db path names (see `scheduledDBJob(id:)`).
    func scheduledDBCancel(id: String, as caller: Caller) async -> JobReply {
        guard JobID.shard(of: id) == nil else { return await cancel(id: id, as: caller) }
        switch await scheduledDBJob(id: id, as: caller) {
        case .job(_, let job): return await cancel(id: job.id, as: caller)
        case .failure(let failure): return .failure(failure)
        }
    }
}
