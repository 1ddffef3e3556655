import TockCore
import TockModel
import TockWire

/// What the leader does with a batch of due runs: publish them — a recurring job's with the time of its next run —,
/// skip them (a missed occurrence with misfire `skip`, or an overlap with overlap `skip`), or hold them until the
/// previous run is done (overlap `wait`). Pure: the schedules and the time are its inputs.
struct RecurrencePlan {
    struct Skip: Sendable, Equatable {
        var job: Job
        var next: Int64?
        var reason: String
    }

    /// A run counts as missed when it is published more than this long after it was due: the shard was down or
    /// had no leader, not merely busy. Only the leader decides, and its decision travels in the command it commits
    /// (the next due time, or a skip), so replicas never judge time themselves.
    static let defaultMisfireThresholdNs: Int64 = 60_000_000_000

    var publish: [(job: Job, next: Int64?)] = []
    var skipped: [Skip] = []
    var waiting: [Job] = []

    init(
        _ candidates: [(job: Job, previousRunOut: Bool)], nowNs: Int64,
        misfireThresholdNs: Int64 = Self.defaultMisfireThresholdNs
    ) {
        for (job, previousRunOut) in candidates {
            guard let schedule = job.schedule else {
                publish.append((job, nil))
                continue
            }
            let missed = nowNs.saturatingSubtracting(job.dueAtNs) > misfireThresholdNs
            // After a miss the schedule resumes from now, so the missed occurrences collapse into this one run.
            let next = Recurrence.next(schedule, after: missed ? nowNs : job.dueAtNs)
            if missed, schedule.misfire == .skip {
                skipped.append(
                    Skip(
                        job: job, next: next,
                        reason: "missed: due at \(RFC3339.format(ns: job.dueAtNs)) "
                            + "while the shard could not publish (misfire: skip)"))
            } else if previousRunOut, schedule.overlap == .skip {
                skipped.append(Skip(job: job, next: next, reason: "the previous run was still running (overlap: skip)"))
            } else if previousRunOut, schedule.overlap == .wait {
                waiting.append(job)
            } else {
                publish.append((job, next))
            }
        }
    }
}
