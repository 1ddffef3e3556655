import Logging
import TockCore
import TockModel
import TockSQLite
import TockWire

/// The leader's retention duty: deletes finished jobs (with their runs, and so their idempotency keys) and finished
/// runs of recurring jobs once they are older than the retention, through the log (`ShardCommand.purgeFinished`),
/// a bounded entry at a time (`RetentionPolicy`). A pass reads the oldest candidates from the `jobs_finished` and
/// `job_runs_finished` indexes, so a shard with nothing old enough reads nothing more than the first index entry.
actor RetentionPurger {
    private let database: DatabaseQueue
    private let log: any ReplicatedLog
    private let clock: any WallClock
    private let logger: Logger
    private let metrics: ShardMetrics
    private let policy: RetentionPolicy
    private var failures = 0

    init(
        database: DatabaseQueue, log: any ReplicatedLog, clock: any WallClock, logger: Logger,
        metrics: ShardMetrics, policy: RetentionPolicy
    ) {
        self.database = database
        self.log = log
        self.clock = clock
        self.logger = logger
        self.metrics = metrics
        self.policy = policy
    }

    /// Runs until the task is cancelled; returns at once when retention is off.
    func run() async {
        guard policy.isEnabled else { return }
        while !Task.isCancelled {
            let outcome = await pass()
            try? await Task.sleep(for: policy.delay(after: outcome))
        }
    }

    /// Reads one batch, proposes it, and says how that went.
    func pass() async -> RetentionPolicy.Outcome {
        let cutoffNs = policy.cutoffNs(nowNs: clock.nowNs())
        let policy = self.policy
        let batch: RetentionPolicy.Batch
        do {
            batch = try await database.read { db in
                let runs = try RetentionScan.runs(before: cutoffNs, limit: policy.batch, in: db)
                guard runs.count < policy.batch else { return policy.batch(runs: runs, jobs: []) }
                let jobs = try RetentionScan.jobs(before: cutoffNs, limit: policy.batch - runs.count, in: db)
                return policy.batch(runs: runs, jobs: jobs)
            }
        } catch {
            return failed("cannot read finished jobs", error)
        }
        guard !batch.isEmpty else {
            failures = 0
            return .nothing
        }
        do {
            let result = try await log.propose(
                .purgeFinished(
                    cutoffNs: cutoffNs, jobIDs: batch.jobIDs,
                    runs: batch.runs))
            guard case .purged(let jobs, let runs) = result else {
                return failed("the purge was not applied", result)
            }
            failures = 0
            metrics.purged(jobs: jobs, runs: runs)
            logger.debug(
                "retention purged finished jobs and runs",
                metadata: ["jobs": "\(jobs)", "runs": "\(runs)", "cutoff": "\(RFC3339.format(ns: cutoffNs))"])
            return .purged(full: batch.full)
        } catch {
            return failed("cannot commit a purge", error)
        }
    }

    private func failed(_ what: String, _ error: Any) -> RetentionPolicy.Outcome {
        failures += 1
        logger.warning("retention: \(what); will retry", metadata: ["error": "\(error)"])
        return .failed(consecutive: failures)
    }
}
