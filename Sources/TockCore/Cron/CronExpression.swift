/// A parsed cron expression, kept with the text it was parsed from (`description`) for display.
///
/// Accepted forms:
/// - five fields, `minute hour day-of-month month day-of-week`, or six with `second` first;
/// - in each field `*`, a number, a range `a-b`, a step `*/n`, `a-b/n` or `a/n` (a through the field's last
///   value), or a comma-separated list of those; months may be `JAN`–`DEC` and weekdays `SUN`–`SAT` (any case);
///   day-of-week is 0–7 with both 0 and 7 meaning Sunday (so `FRI-SUN` is Friday to Sunday); `?` is `*` in the
///   two day fields; a range may not run backwards (`FRI-MON`: write `FRI-SUN,MON`);
/// - when both day fields restrict (neither is `*` or `?`), a day matches if either matches, as in Vixie cron:
///   `0 0 1 * MON` runs on the 1st and on every Monday;
/// - macros `@yearly` (`@annually`), `@monthly`, `@weekly`, `@daily` (`@midnight`), `@hourly`;
/// - `@every <duration>` (`@every 90s`, `@every 1h30m`; at least 1s): a fixed interval counted from the
///   schedule's start, not aligned to the clock, and the same in every time zone.
public struct CronExpression: Equatable, Sendable, CustomStringConvertible {
    enum Rule: Equatable, Sendable {
        case calendar(CronCalendarPattern)
        case interval(ns: Int64)
    }

    /// The text as given.
    public let description: String
    let rule: Rule

    /// The interval of an `@every` expression; nil for calendar ones.
    public var intervalNs: Int64? {
        if case .interval(let ns) = rule { return ns }
        return nil
    }

    private static let macros: [String: String] = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]
    private static let minimumIntervalNs: Int64 = 1_000_000_000

    /// Parses `text`; errors are on `field`, the name the caller's client knows it by.
    public static func parse(_ text: String, field: String = "cron") throws(FieldError) -> CronExpression {
        do {
            return CronExpression(description: text, rule: try rule(of: text))
        } catch {
            throw FieldError(field: field, message: "invalid cron expression \"\(text)\": \(error.message)")
        }
    }

    private static func rule(of text: String) throws(CronSyntaxProblem) -> Rule {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard let first = words.first else { throw CronSyntaxProblem("it is empty") }
        if first.hasPrefix("@") {
            let name = first.lowercased()
            if name == "@every" { return try interval(words.dropFirst().joined(separator: " ")) }
            guard let fields = macros[name] else {
                throw CronSyntaxProblem(
                    "unknown macro \(first); expected @yearly, @annually, @monthly, @weekly, "
                        + "@daily, @midnight, @hourly or @every <duration>")
            }
            guard words.count == 1 else { throw CronSyntaxProblem("\(first) takes nothing after it") }
            return try calendar(fields.split(separator: " "))
        }
        return try calendar(words)
    }

    private static func interval(_ text: String) throws(CronSyntaxProblem) -> Rule {
        guard !text.isEmpty else { throw CronSyntaxProblem("@every needs a duration, such as @every 90s") }
        guard let ns = DurationText.parseNs(text) else {
            throw CronSyntaxProblem("@every duration \"\(text)\" is not a duration such as 90s, 5m or 1h30m")
        }
        guard ns >= minimumIntervalNs else {
            throw CronSyntaxProblem("@every duration \(text) is shorter than the minimum, 1s")
        }
        guard ns <= TimeWindow.maxDurationNs else {
            throw CronSyntaxProblem("@every duration \(text) is longer than the maximum, \(TimeWindow.spanText)")
        }
        return .interval(ns: ns)
    }

    private static func calendar(_ words: [Substring]) throws(CronSyntaxProblem) -> Rule {
        guard words.count == 5 || words.count == 6 else {
            throw CronSyntaxProblem(
                "expected 5 fields (minute hour day-of-month month day-of-week) "
                    + "or 6 with seconds first, found \(words.count)")
        }
        // Without a seconds field the expression fires at second 0 of each matching minute.
        let seconds =
            words.count == 6 ? try CronField.parse(words[0], as: .second) : try CronField.parse("0", as: .second)
        let rest = words.suffix(5).map { $0 }
        return .calendar(
            CronCalendarPattern(
                seconds: seconds,
                minutes: try CronField.parse(rest[0], as: .minute),
                hours: try CronField.parse(rest[1], as: .hour),
                daysOfMonth: try CronField.parse(rest[2], as: .dayOfMonth),
                months: try CronField.parse(rest[3], as: .month),
                daysOfWeek: try CronField.parse(rest[4], as: .dayOfWeek)
            ))
    }
}
