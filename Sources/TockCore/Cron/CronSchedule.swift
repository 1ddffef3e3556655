import Foundation

/// When a recurring job fires: a cron expression read in a time zone, between optional start and end instants.
/// Pure: `next(after:)` reasons only from the instant it is given. Times are nanoseconds since the Unix epoch.
///
/// Calendar expressions fire on whole seconds, at the local (wall-clock) times they name in `timeZone`. Where
/// daylight saving makes a local time happen zero times or twice, the rule depends on the hour field:
///
/// - **Fixed-time schedules** (the hour field names hours, e.g. `30 2 * * *`, `0 9,17 * * MON-FRI`, `@daily`;
///   only the hour field decides, so `*/15 1 * * *` is one too):
///   - a time skipped by a spring-forward gap runs once, at the first instant after the gap: with
///     clocks jumping 02:00→03:00, `30 2 * * *` runs at 03:00 that day (never skipped, never twice);
///   - a time repeated by a fall-back runs once, at its first occurrence: with clocks going 02:00→01:00,
///     `30 1 * * *` runs at 01:30 before the change, not again an hour later.
/// - **Interval-like schedules** (the hour field is `*` or has a step, e.g. `*/15 * * * *`, `0 * * * *`,
///   `0 */2 * * *`, `@hourly`) run at every instant whose local time matches:
///   - times in a gap do not exist, so they do not run (`0 * * * *` runs at 01:00 and then 03:00 local);
///   - times in a repeat run in both occurrences (`0 * * * *` runs at 01:00 before and 01:00 after the change),
///     so the runs stay evenly spaced in real time.
///
/// `@every` schedules ignore the time zone: they fire at `start + k × interval` (k = 0, 1, …), counted from the
/// Unix epoch when there is no start.
///
/// `start` and `end` are inclusive bounds: nothing fires before `start` or after `end`.
public struct CronSchedule: Equatable, Sendable {
    public let expression: CronExpression
    public let timeZone: TimeZone
    public let startNs: Int64?
    public let endNs: Int64?

    /// No expression goes longer than this without firing, unless it never fires: a February 29 is at most
    /// eight years from any instant (2096 to 2104 skips 2100), so a search this long cannot miss one.
    static let searchHorizonSeconds: Int64 = 10 * 366 * CronCalendarPattern.secondsPerDay
    private static let nsPerSecond: Int64 = 1_000_000_000

    /// Does not check the bounds; `parse` does, for input from clients.
    public init(
        expression: CronExpression, timeZone: TimeZone = .gmt,
        startNs: Int64? = nil, endNs: Int64? = nil
    ) {
        self.expression = expression
        self.timeZone = timeZone
        self.startNs = startNs
        self.endNs = endNs
    }

    /// The first fire time strictly after `instantNs` and not before the start; nil when there is none by the
    /// end (or ever).
    public func next(after instantNs: Int64) -> Int64? {
        guard instantNs < .max else { return nil }
        let earliestNs = max(instantNs + 1, startNs ?? .min)
        let fire: Int64?
        switch expression.rule {
        case .interval(let intervalNs): fire = nextInterval(of: intervalNs, atOrAfter: earliestNs)
        case .calendar(let pattern): fire = nextCalendarTime(of: pattern, atOrAfter: earliestNs)
        }
        guard let fire, fire <= endNs ?? .max else { return nil }
        return fire
    }

    /// Up to `count` fire times after `instantNs`, in order.
    public func upcoming(after instantNs: Int64, count: Int) -> [Int64] {
        var fires: [Int64] = []
        var after = instantNs
        while fires.count < count, let fire = next(after: after) {
            fires.append(fire)
            after = fire
        }
        return fires
    }

    private func nextInterval(of intervalNs: Int64, atOrAfter earliestNs: Int64) -> Int64? {
        let anchorNs = startNs ?? 0
        guard earliestNs > anchorNs else { return anchorNs }
        let (elapsed, overflow) = earliestNs.subtractingReportingOverflow(anchorNs)
        guard !overflow else { return nil }
        let intervals = elapsed / intervalNs + (elapsed % intervalNs == 0 ? 0 : 1)
        let (offset, productOverflow) = intervals.multipliedReportingOverflow(by: intervalNs)
        let (fire, sumOverflow) = anchorNs.addingReportingOverflow(offset)
        return productOverflow || sumOverflow ? nil : fire
    }

    private func nextCalendarTime(of pattern: CronCalendarPattern, atOrAfter earliestNs: Int64) -> Int64? {
        let earliest = CronCalendarPattern.floorDiv(earliestNs - 1, Self.nsPerSecond) + 1  // whole seconds, rounded up
        let fixedTime = !pattern.hours.isStarOrStepped
        // No wall time earlier than this can belong to an instant at or after `earliest`.
        var wall = earliest + timeZone.offsetsNear(earliest).smallest
        let limit = wall + Self.searchHorizonSeconds
        var best: Int64?
        while let match = pattern.firstMatch(atOrAfterWall: wall, notAfterWall: limit) {
            // Later wall times map to instants no earlier than this, so nothing after `match` can beat `best`.
            if let best, match - timeZone.offsetsNear(match).largest >= best { break }
            let instants = fixedTime ? [firstInstant(ofWall: match)] : timeZone.instants(ofWall: match)
            for instant in instants where instant >= earliest && instant < best ?? .max { best = instant }
            // A fixed-time schedule maps later wall times to later instants, so its first hit is the answer;
            // interval-like ones look on through a repeat, where a later wall time can come sooner.
            if fixedTime, best != nil { break }
            wall = match + 1
        }
        guard let best else { return nil }
        let (ns, overflow) = best.multipliedReportingOverflow(by: Self.nsPerSecond)
        return overflow ? nil : ns
    }

    /// Where a fixed-time schedule runs for a wall time: its first occurrence, or the end of the gap it falls in.
    private func firstInstant(ofWall wall: Int64) -> Int64 {
        timeZone.instants(ofWall: wall).first ?? timeZone.firstInstant(laterThanWall: wall)
    }
}
