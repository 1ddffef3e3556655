import TockModel

extension JobRequest {
    static let scheduleFields: Set<String> = ["cron", "time_zone", "start", "end", "overlap", "misfire"]

    /// `"schedule": {"cron": "*/5 * * * *", "time_zone": "Europe/Berlin", "start": RFC 3339, "end": RFC 3339,
    /// "overlap": "allow" | "skip" | "wait", "misfire": "run_once" | "skip"}`. Returns the schedule and its first
    /// occurrence after `nowNs`, the job's first due time. An `@every` schedule without a start counts from now.
    static func parseSchedule(_ value: JSONValue, nowNs: Int64) throws(FieldError) -> (Schedule, Int64) {
        guard case .object(let fields) = value else {
            throw FieldError(field: "schedule", message: "schedule must be an object such as {\"cron\": \"0 * * * *\"}")
        }
        if let unknown = fields.keys.sorted().first(where: { !scheduleFields.contains($0) }) {
            throw FieldError(field: "schedule.\(unknown)", code: "unknown_field", message: "unknown field '\(unknown)'")
        }
        let cron = try string(fields["cron"], field: "schedule.cron")
        let zone = try string(fields["time_zone"], field: "schedule.time_zone")
        var start = try time(fields["start"], field: "schedule.start", nowNs: nowNs)
        let end = try time(fields["end"], field: "schedule.end", nowNs: nowNs)
        let names = CronSchedule.FieldNames(
            cron: "schedule.cron", timeZone: "schedule.time_zone",
            start: "schedule.start", end: "schedule.end")
        let parsed = try CronSchedule.parse(expression: cron, timeZone: zone, startNs: start, endNs: end, fields: names)
        if parsed.expression.intervalNs != nil, start == nil { start = nowNs }
        let overlap = try choice(fields["overlap"], field: "schedule.overlap", default: Schedule.Overlap.allow)
        let misfire = try choice(fields["misfire"], field: "schedule.misfire", default: Schedule.Misfire.runOnce)
        let schedule = Schedule(
            cron: parsed.expression.description, timeZone: zone ?? "", startAtNs: start,
            endAtNs: end, overlap: overlap, misfire: misfire)
        let bounded = CronSchedule(expression: parsed.expression, timeZone: parsed.timeZone, startNs: start, endNs: end)
        guard let first = bounded.next(after: nowNs) else {
            throw FieldError(field: "schedule.end", message: "the schedule has no occurrence after now")
        }
        return (schedule, first)
    }

    private static func time(_ value: JSONValue?, field: String, nowNs: Int64) throws(FieldError) -> Int64? {
        guard let text = try string(value, field: field) else { return nil }
        guard let ns = RFC3339.parseNs(text) else {
            throw FieldError(field: field, message: "\(field) must be an RFC 3339 time such as 2026-01-02T15:04:05Z")
        }
        return try TimeWindow.check(ns, field: field, nowNs: nowNs)
    }

    private static func choice<Value: RawRepresentable & CaseIterable>(
        _ value: JSONValue?, field: String, default fallback: Value
    ) throws(FieldError) -> Value where Value.RawValue == String {
        guard let text = try string(value, field: field) else { return fallback }
        guard let chosen = Value(rawValue: text) else {
            throw FieldError(
                field: field,
                message: "\(field) must be one of "
                    + Value.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return chosen
    }
}
