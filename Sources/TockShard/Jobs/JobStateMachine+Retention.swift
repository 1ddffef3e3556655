import TockModel
import TockSQLite
import TockWire

/// Retention's purge. The leader chose the ids from its own scan; a replica deletes only what is purgeable by the
/// command's cutoff now (`RetentionScan`), so every replica deletes the same rows, an entry applied again deletes
/// nothing more, and a job that changed since the scan (a late completion of a cancelled job's run) stays.
extension JobStateMachine {
    func purge(cutoffNs: Int64, jobIDs: [String], runs: [RunKey], in db: Database) throws -> ApplyResult {
        let deleteRun = try db.statement(
            """
            DELETE FROM job_runs WHERE job_id = ? AND run = ? AND finished_at IS NOT NULL AND finished_at < ?
            """)
        var runsPurged = 0
        for run in runs {
            runsPurged += try deleteRun.run(run.jobID, run.run, cutoffNs)
        }
        let deleteRuns = try db.statement("DELETE FROM job_runs WHERE job_id = ?")
        let deleteJob = try db.statement("DELETE FROM jobs WHERE id = ?")
        var jobsPurged = 0
        for jobID in jobIDs {
            guard try RetentionScan.isPurgeable(jobID, before: cutoffNs, in: db) else { continue }
            runsPurged += try deleteRuns.run(jobID)
            jobsPurged += try deleteJob.run(jobID)
        }
        return .purged(jobs: jobsPurged, runs: runsPurged)
    }
}
