import Foundation
import TockCore
import TockModel
import TockWire

/// A stored schedule's occurrences, for the leader that publishes runs and resumes jobs.
enum Recurrence {
    /// The first occurrence strictly after `instantNs`, or nil when the schedule has ended — or cannot be read
    /// (validation at submit rules that out; a job whose schedule this build cannot read stops rather than guesses).
    static func next(_ schedule: Schedule, after instantNs: Int64) -> Int64? {
        guard let cron = try? CronExpression.parse(schedule.cron),
            let zone = schedule.timeZone.isEmpty ? TimeZone.gmt : TimeZone(identifier: schedule.timeZone)
        else { return nil }
        return CronSchedule(expression: cron, timeZone: zone, startNs: schedule.startAtNs, endNs: schedule.endAtNs)
            .next(after: instantNs)
    }
}
