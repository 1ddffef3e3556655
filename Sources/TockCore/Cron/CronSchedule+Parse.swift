import Foundation

extension CronSchedule {
    /// The names of the request fields a schedule comes from, so errors name what the client sent.
    public struct FieldNames: Sendable {
        public var cron: String
        public var timeZone: String
        public var start: String
        public var end: String

        public init(
            cron: String = "cron", timeZone: String = "time_zone", start: String = "start",
            end: String = "end"
        ) {
            self.cron = cron
            self.timeZone = timeZone
            self.start = start
            self.end = end
        }
    }

    /// Checks a client's schedule: the expression is required; the time zone is an IANA name (absent or empty
    /// means UTC); the end, if any, is after the start; and the schedule fires at least once within its bounds
    /// (with no start, that some calendar day matches at all).
    public static func parse(
        expression: String?, timeZone: String?, startNs: Int64?, endNs: Int64?,
        fields: FieldNames = .init()
    ) throws(FieldError) -> CronSchedule {
        guard let expression, expression.contains(where: { $0 != " " && $0 != "\t" }) else {
            throw FieldError(field: fields.cron, code: "missing_field", message: "\(fields.cron) is required")
        }
        let parsed = try CronExpression.parse(expression, field: fields.cron)
        let zoneName = timeZone.flatMap { $0.isEmpty ? nil : $0 } ?? "UTC"
        guard let zone = TimeZone(identifier: zoneName) else {
            throw FieldError(
                field: fields.timeZone,
                message: "unknown time zone \"\(zoneName)\"; "
                    + "expected an IANA name such as UTC, Europe/Berlin or America/New_York")
        }
        if let startNs, let endNs, endNs <= startNs {
            throw FieldError(field: fields.end, message: "\(fields.end) must be after \(fields.start)")
        }
        let schedule = CronSchedule(expression: parsed, timeZone: zone, startNs: startNs, endNs: endNs)
        if !schedule.canFire {
            let within = startNs != nil && endNs != nil ? " between \(fields.start) and \(fields.end)" : ""
            throw FieldError(field: fields.cron, message: "cron expression \"\(expression)\" never fires\(within)")
        }
        return schedule
    }

    /// With a start, whether it fires by the end; with none there is no instant to search from, so whether the
    /// expression matches any calendar day (an `@every` schedule always fires).
    private var canFire: Bool {
        if let startNs { return next(after: max(startNs, .min + 1) - 1) != nil }
        if case .calendar(let pattern) = expression.rule { return pattern.matchesSomeDay }
        return true
    }
}
