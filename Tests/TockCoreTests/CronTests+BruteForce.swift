import Foundation
import TockCore
import XCTest

/// `next(after:)` against a check that knows nothing of the search: walk every minute, ask Foundation's Calendar
/// for that instant's local time, and keep the ones a hand-written predicate accepts. For interval-like
/// schedules that is exactly the documented rule (every instant whose local time matches), gaps and repeats
/// included.
final class CronBruteForceTests: XCTestCase {
    typealias Predicate = @Sendable (DateComponents) -> Bool

    func bruteForce(_ zone: TimeZone, from start: Int64, minutes: Int, _ matches: Predicate) -> [Int64] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return (1...minutes).compactMap { minute in
            let second = start + Int64(minute) * 60
            let local = calendar.dateComponents(
                [.month, .day, .weekday, .hour, .minute],
                from: Date(timeIntervalSince1970: TimeInterval(second)))
            return matches(local) ? second * 1_000_000_000 : nil
        }
    }

    /// Four days around each daylight-saving change the other tests use, and two stretches without one.
    static let changeWindows: [(zone: String, around: String)] = [
        ("America/New_York", "2026-03-08T07:00:00Z"), ("America/New_York", "2026-11-01T06:00:00Z"),
        ("Europe/Berlin", "2026-03-29T01:00:00Z"), ("Europe/Berlin", "2026-10-25T01:00:00Z"),
        ("Australia/Lord_Howe", "2026-04-04T15:00:00Z"), ("Australia/Lord_Howe", "2026-10-03T15:30:00Z"),
    ]
    static let steadyWindows: [(zone: String, around: String)] = [
        ("Asia/Kolkata", "2026-02-27T00:00:00Z"), ("UTC", "2028-02-28T00:00:00Z"),
        ("Europe/Berlin", "2026-07-01T00:00:00Z"),
    ]

    func check(
        _ expression: String, in windows: [(zone: String, around: String)] = changeWindows + steadyWindows,
        _ matches: @escaping Predicate, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        for (zoneName, around) in windows {
            let zone = try XCTUnwrap(TimeZone(identifier: zoneName))
            let start = instant(around) / 1_000_000_000 - 2 * 86_400
            let expected = bruteForce(zone, from: start, minutes: 4 * 24 * 60, matches)
            let schedule = CronSchedule(expression: try CronExpression.parse(expression), timeZone: zone)
            let actual = schedule.upcoming(after: start * 1_000_000_000, count: expected.count + 1)
                .filter { $0 <= (start + 4 * 86_400) * 1_000_000_000 }
            XCTAssertEqual(
                actual.map { RFC3339.format(ns: $0) }, expected.map { RFC3339.format(ns: $0) },
                "\(expression) in \(zoneName)", file: file, line: line)
        }
    }

    func testIntervalLikeSchedulesMatchEveryLocalMinute() throws {
        try check("*/15 * * * *") { $0.minute! % 15 == 0 }
        try check("0 * * * *") { $0.minute == 0 }
        try check("45 */2 * * *") { $0.minute == 45 && $0.hour! % 2 == 0 }
        try check("*/20 1-3/1 * * *") { $0.minute! % 20 == 0 && (1...3).contains($0.hour!) }
        // Calendar weekdays are 1 = Sunday … 7 = Saturday.
        try check("10,50 * 1,29 * SUN") {
            [10, 50].contains($0.minute!) && ([1, 29].contains($0.day!) || $0.weekday == 1)
        }
        try check("0 * * FEB,MAR *") { $0.minute == 0 && [2, 3].contains($0.month!) }
    }

    /// Away from a change, fixed-time schedules follow the same rule; at a change the table tests cover them.
    func testFixedTimeSchedulesMatchEveryLocalMinuteAwayFromChanges() throws {
        let steady = Self.steadyWindows
        try check("30 9 * * MON-FRI", in: steady) { $0.minute == 30 && $0.hour == 9 && (2...6).contains($0.weekday!) }
        try check("0,15 0,12,23 * * *", in: steady) { [0, 15].contains($0.minute!) && [0, 12, 23].contains($0.hour!) }
        try check("5 4-6 29 2 *", in: steady) {
            $0.minute == 5 && (4...6).contains($0.hour!) && $0.day == 29 && $0.month == 2
        }
        try check("0 0 1 * TUE", in: steady) { $0.minute == 0 && $0.hour == 0 && ($0.day == 1 || $0.weekday == 3) }
    }
}
