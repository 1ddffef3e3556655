/// HTTP-dates (RFC 9110 §5.6.7), as a `Retry-After` header may carry them, converted to seconds since the Unix epoch.
/// Hand-written for the same reasons as `RFC3339`: exact, no locale, and impossible dates are rejected.
public enum HTTPDate {
    private static let weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    private static let longWeekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Accepts the three forms a recipient must: IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT`, the obsolete
    /// RFC 850 form `Sunday, 06-Nov-94 08:49:37 GMT` and asctime's `Sun Nov  6 08:49:37 1994`.
    /// The weekday is checked for form only; the date it names is what counts.
    public static func parseSeconds(_ text: String) -> Int64? {
        imfFixdate(text) ?? rfc850(text) ?? asctime(text)
    }

    /// `Sun, 06 Nov 1994 08:49:37 GMT`
    private static func imfFixdate(_ text: String) -> Int64? {
        let parts = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 6, parts[0].count == 4, parts[0].hasSuffix(","),
            weekdays.contains(String(parts[0].dropLast())),
            let day = number(parts[1], digits: 2), let month = month(parts[2]),
            let year = number(parts[3], digits: 4), parts[5] == "GMT"
        else { return nil }
        return seconds(year: year, month: month, day: day, time: parts[4])
    }

    /// `Sunday, 06-Nov-94 08:49:37 GMT`; a two-digit year is read as the one nearest to 2000 (RFC 9110 says to take
    /// the most recent past year with those digits when it is not more than 50 years ahead, which this matches
    /// until 2050).
    private static func rfc850(_ text: String) -> Int64? {
        let parts = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4, parts[0].hasSuffix(","), longWeekdays.contains(String(parts[0].dropLast())),
            parts[3] == "GMT"
        else { return nil }
        let date = parts[1].split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard date.count == 3, let day = number(date[0], digits: 2), let month = month(date[1]),
            let shortYear = number(date[2], digits: 2)
        else { return nil }
        let year = shortYear < 50 ? 2000 + shortYear : 1900 + shortYear
        return seconds(year: year, month: month, day: day, time: parts[2])
    }

    /// `Sun Nov  6 08:49:37 1994` (a one-digit day is padded with a space, so two spaces precede it).
    private static func asctime(_ text: String) -> Int64? {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard parts.count == 5, weekdays.contains(parts[0]), let month = month(parts[1]),
            let day = number(parts[2], digits: 1) ?? number(parts[2], digits: 2),
            let year = number(parts[4], digits: 4)
        else { return nil }
        // Only the one space-padding form: "Nov  6" or "Nov 16", nothing looser.
        let expected = "\(parts[0]) \(parts[1]) \(day < 10 ? " " : "")\(day) \(parts[3]) \(parts[4])"
        guard text == expected else { return nil }
        return seconds(year: year, month: month, day: day, time: parts[3])
    }

    private static func month(_ name: String) -> Int? {
        months.firstIndex(of: name).map { $0 + 1 }
    }

    /// Exactly `digits` ASCII digits; `Int(_:)` alone would also take a sign.
    private static func number(_ text: some StringProtocol, digits: Int) -> Int? {
        guard text.utf8.count == digits, text.utf8.allSatisfy({ (48...57).contains($0) }) else { return nil }
        return Int(text)
    }

    private static func seconds(year: Int, month: Int, day: Int, time: String) -> Int64? {
        let clock = time.split(separator: ":", omittingEmptySubsequences: false)
        guard clock.count == 3, let hour = number(clock[0], digits: 2), let minute = number(clock[1], digits: 2),
            let second = number(clock[2], digits: 2),
            hour < 24, minute < 60, second < 61,  // 60: a leap second, which HTTP-date allows
            (1...RFC3339.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        let days = RFC3339.daysFromCivil(year: Int64(year), month: Int64(month), day: Int64(day))
        return days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }
}
