import Foundation
import TockModel
import TockWire

/// `jobs.schedule`: a recurring job's schedule as JSON, NULL for a one-time job.
enum ScheduleColumn {
    private struct Stored: Codable {
        var cron: String
        var time_zone: String
        var start_at_ns: Int64?
        var end_at_ns: Int64?
        var overlap: String
        var misfire: String
    }

    static func encode(_ schedule: Schedule) throws -> String {
        let stored = Stored(
            cron: schedule.cron, time_zone: schedule.timeZone, start_at_ns: schedule.startAtNs,
            end_at_ns: schedule.endAtNs, overlap: schedule.overlap.rawValue,
            misfire: schedule.misfire.rawValue)
        return String(decoding: try JSONEncoder().encode(stored), as: UTF8.self)
    }

    static func decode(_ text: String) throws -> Schedule {
        let stored = try JSONDecoder().decode(Stored.self, from: Data(text.utf8))
        return Schedule(
            cron: stored.cron, timeZone: stored.time_zone, startAtNs: stored.start_at_ns,
            endAtNs: stored.end_at_ns, overlap: Schedule.Overlap(rawValue: stored.overlap) ?? .allow,
            misfire: Schedule.Misfire(rawValue: stored.misfire) ?? .runOnce)
    }
}
