import Foundation
import TockCore
import TockWire

/// A schedule's occurrences, for the leader that publishes runs and resumes jobs.
enum Recurrence {
    /// The first occurrence strictly after `instantNs`, or nil when the schedule has ended (or cannot be read,
    /// which validation at submit rules out).
    static func next(_ schedule: Schedule, after instantNs: Int64) -> Int64? {
        // Until the cron module lands: `@every <duration>` anchored at the start.
        let text = schedule.cron.trimmingCharacters(in: .whitespaces)
        guard text.hasPrefix("@every "), let interval = DurationText.parseNs(String(text.dropFirst(7))), interval > 0
        else { return nil }
        let anchor = schedule.startAtNs ?? 0
        let steps = instantNs < anchor ? 0 : (instantNs - anchor) / interval + 1
        let next = anchor + steps * interval
        if let end = schedule.endAtNs, next > end { return nil }
        return next
    }
}
