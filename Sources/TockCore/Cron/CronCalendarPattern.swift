/// The wall-clock times a field-based cron expression names, searched field by field (month, day, hour, minute,
/// second) in "wall seconds": a local date and time counted as if it were UTC seconds since the epoch, so the
/// search knows nothing of time zones. `CronSchedule` maps wall times to instants.
struct CronCalendarPattern: Equatable, Sendable {
    let seconds: CronField
    let minutes: CronField
    let hours: CronField
    let daysOfMonth: CronField
    let months: CronField
    let daysOfWeek: CronField

    static let secondsPerDay: Int64 = 86_400

    /// Vixie cron's rule: when both day fields restrict, a day matches if either does; otherwise both must (and
    /// the unrestricted one always does).
    func matchesDay(month: Int, day: Int, weekday: Int) -> Bool {
        guard months.values.contains(month) else { return false }
        let byMonthDay = daysOfMonth.values.contains(day)
        let byWeekday = daysOfWeek.values.contains(weekday)
        if !daysOfMonth.isUnrestricted && !daysOfWeek.isUnrestricted { return byMonthDay || byWeekday }
        return byMonthDay && byWeekday
    }

    /// Whether some calendar day matches at all, leap days included: "0 0 30 2 *" never does.
    var matchesSomeDay: Bool {
        if !daysOfMonth.isUnrestricted && !daysOfWeek.isUnrestricted { return true }  // any weekday comes round
        return (1...12).contains { month in
            months.values.contains(month)
                && (1...RFC3339.daysIn(month: month, year: 2000)).contains { daysOfMonth.values.contains($0) }
        }
    }

    /// The first matching wall time at or after `wall`, or nil when there is none up to `limit`.
    func firstMatch(atOrAfterWall wall: Int64, notAfterWall limit: Int64) -> Int64? {
        var day = Self.floorDiv(wall, Self.secondsPerDay)
        var secondOfDay = Int(wall - day * Self.secondsPerDay)
        while day * Self.secondsPerDay <= limit {
            let (year, month, dayOfMonth) = RFC3339.civilFromDays(day)
            if !months.values.contains(Int(month)) {
                // Skip whole months rather than walking their days: "0 0 29 2 *" looks at February only.
                day = firstDayOfNextAllowedMonth(after: year, Int(month))
                secondOfDay = 0
                continue
            }
            let weekday = Int(Self.floorMod(day + 4, 7))  // 1970-01-01 was a Thursday
            if matchesDay(month: Int(month), day: Int(dayOfMonth), weekday: weekday),
                let time = firstTimeOfDay(atOrAfter: secondOfDay)
            {
                let match = day * Self.secondsPerDay + Int64(time)
                return match <= limit ? match : nil
            }
            day += 1
            secondOfDay = 0
        }
        return nil
    }

    private func firstDayOfNextAllowedMonth(after year: Int64, _ month: Int) -> Int64 {
        if let next = months.values.first(atOrAfter: month + 1) {
            return RFC3339.daysFromCivil(year: year, month: Int64(next), day: 1)
        }
        let first = months.values.first(atOrAfter: 1) ?? 1
        return RFC3339.daysFromCivil(year: year + 1, month: Int64(first), day: 1)
    }

    /// Seconds into the day of the first matching time at or after `secondOfDay`.
    private func firstTimeOfDay(atOrAfter secondOfDay: Int) -> Int? {
        let (hour, minute, second) = (secondOfDay / 3600, secondOfDay % 3600 / 60, secondOfDay % 60)
        var h = hours.values.first(atOrAfter: hour)
        while let matchHour = h {
            var m = minutes.values.first(atOrAfter: matchHour == hour ? minute : 0)
            while let matchMinute = m {
                let fromSecond = matchHour == hour && matchMinute == minute ? second : 0
                if let matchSecond = seconds.values.first(atOrAfter: fromSecond) {
                    return matchHour * 3600 + matchMinute * 60 + matchSecond
                }
                m = minutes.values.first(atOrAfter: matchMinute + 1)
            }
            h = hours.values.first(atOrAfter: matchHour + 1)
        }
        return nil
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let quotient = a / b
        return a % b < 0 ? quotient - 1 : quotient
    }

    static func floorMod(_ a: Int64, _ b: Int64) -> Int64 { a - floorDiv(a, b) * b }
}
