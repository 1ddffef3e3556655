import TockCore
import TockModel
import TockWire

/// What retention purges in one log entry and when it looks again. Pure: no clock, no database, no log.
///
/// An entry holds at most `batch` rows' worth of deletes: finished runs first (oldest first), then whole jobs,
/// each costing one plus the `job_runs` rows that go with it. Runs go first because a finished job's runs finished
/// before it did, so by the time a job's turn comes its history has mostly been purged run by run, and deleting
/// the job deletes few rows more. While a backlog remains (the last entry was full) the purger pauses briefly
/// between entries, so it never holds the log for long; otherwise it looks again after `interval`. A failure
/// (a read, or a proposal that did not commit — no longer leading, say) backs off, doubling up to `interval`.
struct RetentionPolicy: Sendable, Equatable {
    /// How long a finished job or run is kept; 0 keeps everything, and the purger does nothing.
    var retentionNs: Int64
    var batch: Int
    var interval: Duration
    var backlogPause: Duration
    var firstBackoff: Duration

    init(
        retentionNs: Int64, batch: Int = 500, interval: Duration = .seconds(60),
        backlogPause: Duration = .milliseconds(200), firstBackoff: Duration = .seconds(1)
    ) {
        self.retentionNs = max(0, retentionNs)
        self.batch = max(1, batch)
        self.interval = interval
        self.backlogPause = min(backlogPause, interval)
        self.firstBackoff = min(firstBackoff, interval)
    }

    var isEnabled: Bool { retentionNs > 0 }

    /// Finished before this, by the leader's clock, is old enough to purge.
    func cutoffNs(nowNs: Int64) -> Int64 {
        nowNs.saturatingSubtracting(retentionNs)
    }

    /// One entry's worth.
    struct Batch: Sendable, Equatable {
        var jobIDs: [String] = []
        var runs: [RunKey] = []
        /// Whether the batch used the whole budget, so more is probably waiting.
        var full = false

        var isEmpty: Bool { jobIDs.isEmpty && runs.isEmpty }
    }

    /// Packs what the scans found (`runs` read with a limit of `batch`, `jobs` of what is left) into one entry: the
    /// runs, then jobs in order while their rows fit. A job whose runs alone exceed the budget still goes, alone,
    /// when nothing else is in the entry, so no job is stuck behind its own history.
    func batch(runs: [RunKey], jobs: [RetentionScan.Candidate]) -> Batch {
        var batch = Batch(runs: Array(runs.prefix(self.batch)))
        var used = batch.runs.count
        for job in jobs {
            // Row counts of this node's own tables: far from overflowing.
            let cost = job.runs + 1
            guard used + cost <= self.batch || used == 0 else {
                batch.full = true
                break
            }
            batch.jobIDs.append(job.jobID)
            used += cost
        }
        if used >= self.batch { batch.full = true }
        return batch
    }

    /// How a pass went, for `delay`.
    enum Outcome: Sendable, Equatable {
        /// Proposed and committed an entry; `full` when it used the whole budget.
        case purged(full: Bool)
        /// Nothing was old enough.
        case nothing
        /// A read or a proposal failed; `consecutive` counts this one.
        case failed(consecutive: Int)
    }

    func delay(after outcome: Outcome) -> Duration {
        switch outcome {
        case .purged(full: true): return backlogPause
        case .purged(full: false), .nothing: return interval
        case .failed(let consecutive):
            var delay = firstBackoff
            for _ in 1..<max(1, min(consecutive, 32)) where delay < interval { delay *= 2 }
            return min(delay, interval)
        }
    }
}
