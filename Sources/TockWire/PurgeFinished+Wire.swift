import TockModel
import TockProto

// `ShardCommand.purgeFinished` on the wire (`tock.v1.PurgeFinished`); only ever travels inside a ShardCommand.
extension ShardCommand {
    static func purge(proto purge: UnsafePointer<Tock__V1__PurgeFinished>) throws(WireError) -> ShardCommand {
        let message = purge.pointee
        return .purgeFinished(
            cutoffNs: message.cutoff_ns,
            jobIDs: try CReading.repeated(message.n_job_ids, message.job_ids, field: "PurgeFinished.job_ids") {
                (id) throws(WireError) in try CReading.string(id, field: "PurgeFinished.job_ids")
            },
            runs: try CReading.repeated(message.n_runs, message.runs, field: "PurgeFinished.runs") {
                (run) throws(WireError) in
                RunKey(jobID: try CReading.string(run.pointee.job_id, field: "RunKey.job_id"), run: run.pointee.run)
            })
    }

    static func purgeProto(cutoffNs: Int64, jobIDs: [String], runs: [RunKey], in arena: CArena)
        -> UnsafeMutablePointer<Tock__V1__PurgeFinished>
    {
        arena.message(Tock__V1__PurgeFinished.self) { purge in
            tock__v1__purge_finished__init(purge)
            purge.pointee.cutoff_ns = cutoffNs
            purge.pointee.n_job_ids = jobIDs.count
            purge.pointee.job_ids = arena.pointerArray(jobIDs.map(arena.string))
            purge.pointee.n_runs = runs.count
            purge.pointee.runs = arena.pointerArray(
                runs.map { run in
                    arena.message(Tock__V1__RunKey.self) { key in
                        tock__v1__run_key__init(key)
                        key.pointee.job_id = arena.string(run.jobID)
                        key.pointee.run = run.run
                    }
                })
        }
    }
}
