import TockModel
import TockProto

/// `tock.v1.RetryJob` (ShardCommand field 10), kept apart from the other cases' wire code.
extension ShardCommand {
    static func retryJob(proto retry: UnsafePointer<Tock__V1__RetryJob>) throws(WireError) -> ShardCommand {
        .retryJob(
            try CReading.repeated(retry.pointee.n_runs, retry.pointee.runs, field: "RetryJob.runs") {
                (run) throws(WireError) in
                RunKey(jobID: try CReading.string(run.pointee.job_id, field: "RunKey.job_id"), run: run.pointee.run)
            },
            atNs: retry.pointee.at_ns)
    }

    static func retryJobProto(_ runs: [RunKey], atNs: Int64, in arena: CArena)
        -> UnsafeMutablePointer<Tock__V1__RetryJob>
    {
        arena.message(Tock__V1__RetryJob.self) { retry in
            tock__v1__retry_job__init(retry)
            retry.pointee.n_runs = runs.count
            retry.pointee.runs = arena.pointerArray(
                runs.map { run in
                    arena.message(Tock__V1__RunKey.self) { message in
                        tock__v1__run_key__init(message)
                        message.pointee.job_id = arena.string(run.jobID)
                        message.pointee.run = run.run
                    }
                })
            retry.pointee.at_ns = atNs
        }
    }
}
