import Foundation
import TockCore
import XCTest

/// Fire times in UTC and in a zone without daylight saving. Each expected list is worked out by hand in the
/// comment beside it; 2026-01-01 is a Thursday.
final class CronScheduleTests: XCTestCase {
    func testEveryMinuteStepsListsAndRanges() {
        XCTAssertEqual(
            cronFires("* * * * *", after: "2026-01-01T00:00:30Z", count: 3),
            utc(["2026-01-01T00:01:00Z", "2026-01-01T00:02:00Z", "2026-01-01T00:03:00Z"]))
        // Strictly after: a fire time equal to `after` is not repeated.
        XCTAssertEqual(
            cronFires("*/15 * * * *", after: "2026-01-01T00:00:00Z", count: 4),
            utc([
                "2026-01-01T00:15:00Z", "2026-01-01T00:30:00Z", "2026-01-01T00:45:00Z",
                "2026-01-01T01:00:00Z",
            ]))
        // Minutes 5 and 10 (5-10/5) and 30, in hours 9 and 10.
        XCTAssertEqual(
            cronFires("5-10/5,30 9-10 * * *", after: "2026-01-01T00:00:00Z", count: 6),
            utc([
                "2026-01-01T09:05:00Z", "2026-01-01T09:10:00Z", "2026-01-01T09:30:00Z",
                "2026-01-01T10:05:00Z", "2026-01-01T10:10:00Z", "2026-01-01T10:30:00Z",
            ]))
        // Hours 1, 3, …, 23 (1/2 runs to the field's end); across midnight into the next day.
        XCTAssertEqual(
            cronFires("0 1/2 * * *", after: "2026-01-01T20:00:00Z", count: 3),
            utc(["2026-01-01T21:00:00Z", "2026-01-01T23:00:00Z", "2026-01-02T01:00:00Z"]))
    }

    func testNamedMonthsAndWeekdays() {
        // January and March, Monday to Friday. 2026-01-29 is a Thursday: Fri 30 Jan, then (no February) March,
        // whose 1st is a Sunday (Jan has 31 days, Feb 28: 59 days = 8 weeks + 3 after Thursday), so Mon 2, Tue 3.
        XCTAssertEqual(
            cronFires("0 12 * JAN,mar MON-FRI", after: "2026-01-29T13:00:00Z", count: 3),
            utc(["2026-01-30T12:00:00Z", "2026-03-02T12:00:00Z", "2026-03-03T12:00:00Z"]))
    }

    func testEitherDayFieldMatchesWhenBothRestrict() {
        // 2026-02-01 is a Sunday: the Mondays are 2, 9, 16, 23 February and the 1st of March matches by date.
        XCTAssertEqual(
            cronFires("0 0 1 * MON", after: "2026-02-01T00:00:00Z", count: 6),
            utc([
                "2026-02-02T00:00:00Z", "2026-02-09T00:00:00Z", "2026-02-16T00:00:00Z",
                "2026-02-23T00:00:00Z", "2026-03-01T00:00:00Z", "2026-03-02T00:00:00Z",
            ]))
        // With `?` (or `*`) for the day of month only the weekday decides.
        XCTAssertEqual(
            cronFires("0 0 ? * MON", after: "2026-02-01T00:00:00Z", count: 5),
            utc([
                "2026-02-02T00:00:00Z", "2026-02-09T00:00:00Z", "2026-02-16T00:00:00Z",
                "2026-02-23T00:00:00Z", "2026-03-02T00:00:00Z",
            ]))
        // With `*` for the weekday only the date decides.
        XCTAssertEqual(
            cronFires("0 0 1 * *", after: "2026-02-01T00:00:00Z", count: 2),
            utc(["2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"]))
    }

    func testSecondsField() {
        XCTAssertEqual(
            cronFires("*/20 * * * * *", after: "2026-01-01T00:00:00Z", count: 4),
            utc([
                "2026-01-01T00:00:20Z", "2026-01-01T00:00:40Z", "2026-01-01T00:01:00Z",
                "2026-01-01T00:01:20Z",
            ]))
        XCTAssertEqual(
            cronFires("30 0 12 * * *", after: "2026-01-01T12:00:30Z", count: 2),
            utc(["2026-01-02T12:00:30Z", "2026-01-03T12:00:30Z"]))
        // A fraction of a second after a fire time: the next whole second that matches.
        XCTAssertEqual(
            cronFires("* * * * * *", after: "2026-01-01T00:00:00.5Z", count: 2),
            utc(["2026-01-01T00:00:01Z", "2026-01-01T00:00:02Z"]))
    }

    func testMacros() {
        XCTAssertEqual(
            cronFires("@yearly", after: "2026-06-01T00:00:00Z", count: 2),
            utc(["2027-01-01T00:00:00Z", "2028-01-01T00:00:00Z"]))
        XCTAssertEqual(
            cronFires("@monthly", after: "2026-01-31T12:00:00Z", count: 2),
            utc(["2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z"]))
        // Sundays: 2026-01-01 is a Thursday, so the 4th, 11th, 18th.
        XCTAssertEqual(
            cronFires("@weekly", after: "2026-01-01T00:00:00Z", count: 3),
            utc(["2026-01-04T00:00:00Z", "2026-01-11T00:00:00Z", "2026-01-18T00:00:00Z"]))
        XCTAssertEqual(
            cronFires("@daily", after: "2026-02-28T00:00:00Z", count: 2),
            utc(["2026-03-01T00:00:00Z", "2026-03-02T00:00:00Z"]))
        XCTAssertEqual(cronFires("@midnight", after: "2026-12-31T23:59:59Z", count: 1), utc(["2027-01-01T00:00:00Z"]))
        XCTAssertEqual(
            cronFires("@hourly", after: "2026-01-01T23:30:00Z", count: 2),
            utc(["2026-01-02T00:00:00Z", "2026-01-02T01:00:00Z"]))
    }

    func testEveryIsAnIntervalFromTheStart() {
        // Anchored at the start (00:00:10), not at a round minute: start, +90s, +180s.
        XCTAssertEqual(
            cronFires("@every 90s", after: "2025-12-31T00:00:00Z", start: "2026-01-01T00:00:10Z", count: 3),
            utc(["2026-01-01T00:00:10Z", "2026-01-01T00:01:40Z", "2026-01-01T00:03:10Z"]))
        // From a fire time, the next one; from between two, the later.
        XCTAssertEqual(
            cronFires("@every 90s", after: "2026-01-01T00:01:40Z", start: "2026-01-01T00:00:10Z", count: 1),
            utc(["2026-01-01T00:03:10Z"]))
        XCTAssertEqual(
            cronFires("@every 90s", after: "2026-01-01T00:01:41Z", start: "2026-01-01T00:00:10Z", count: 1),
            utc(["2026-01-01T00:03:10Z"]))
        // The zone does not matter: hourly in real time across New York's spring-forward (07:00Z).
        XCTAssertEqual(
            cronFires(
                "@every 1h", in: "America/New_York", after: "2026-03-08T05:00:00Z",
                start: "2026-03-08T05:30:00Z", count: 3),
            utc(["2026-03-08T05:30:00Z", "2026-03-08T06:30:00Z", "2026-03-08T07:30:00Z"]))
        // Without a start, counted from the Unix epoch, so whole hours.
        XCTAssertEqual(
            cronFires("@every 1h", after: "2026-01-01T00:30:00Z", count: 2),
            utc(["2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z"]))
    }

    func testLeapDays() {
        // February 29 exists in 2028, 2032, 2036.
        XCTAssertEqual(
            cronFires("0 12 29 2 *", after: "2026-01-01T00:00:00Z", count: 3),
            utc(["2028-02-29T12:00:00Z", "2032-02-29T12:00:00Z", "2036-02-29T12:00:00Z"]))
        // 2100 is not a leap year (divisible by 100, not 400): eight years from 2096 to 2104.
        XCTAssertEqual(
            cronFires("0 12 29 FEB *", after: "2096-03-01T00:00:00Z", count: 1),
            utc(["2104-02-29T12:00:00Z"]))
        // 2000 is (divisible by 400).
        XCTAssertEqual(
            cronFires("0 12 29 2 *", after: "1997-01-01T00:00:00Z", count: 2),
            utc(["2000-02-29T12:00:00Z", "2004-02-29T12:00:00Z"]))
    }

    func testThirtyFirstSkipsShortMonths() {
        XCTAssertEqual(
            cronFires("0 0 31 * *", after: "2026-01-31T00:00:00Z", count: 5),
            utc([
                "2026-03-31T00:00:00Z", "2026-05-31T00:00:00Z", "2026-07-31T00:00:00Z",
                "2026-08-31T00:00:00Z", "2026-10-31T00:00:00Z",
            ]))
    }

    func testImpossibleExpressionsNeverFireAndAnswerQuickly() throws {
        let clock = ContinuousClock()
        let started = clock.now
        for text in ["0 0 30 2 *", "0 0 31 4,6,9,11 *", "0 0 31 FEB ?", "* * 30-31 2 *"] {
            let schedule = CronSchedule(expression: try CronExpression.parse(text))
            XCTAssertNil(schedule.next(after: instant("2026-01-01T00:00:00Z")), text)
            XCTAssertNil(schedule.next(after: instant("2097-01-01T00:00:00Z")), text)
        }
        XCTAssertLessThan(clock.now - started, .seconds(2))
    }

    func testStartAndEndBoundsAreInclusive() {
        // Starts at 05:30, so 06:00 first; the end, 08:00, is itself a fire time.
        XCTAssertEqual(
            cronFires(
                "0 * * * *", after: "2026-01-01T00:00:00Z", start: "2026-01-01T05:30:00Z",
                end: "2026-01-01T08:00:00Z"),
            utc(["2026-01-01T06:00:00Z", "2026-01-01T07:00:00Z", "2026-01-01T08:00:00Z"]))
        // A start on a fire time includes it.
        XCTAssertEqual(
            cronFires("0 * * * *", after: "2025-01-01T00:00:00Z", start: "2026-01-01T06:00:00Z", count: 1),
            utc(["2026-01-01T06:00:00Z"]))
        // A start between whole seconds: the next whole second.
        XCTAssertEqual(
            cronFires(
                "* * * * * *", after: "2025-01-01T00:00:00Z", start: "2026-01-01T06:00:00.25Z",
                count: 1),
            utc(["2026-01-01T06:00:01Z"]))
        // After the end: nothing.
        XCTAssertEqual(
            cronFires(
                "0 * * * *", after: "2026-01-01T08:00:00Z", start: "2026-01-01T05:30:00Z",
                end: "2026-01-01T08:59:59Z"), [])
        // @every stops at the end too.
        XCTAssertEqual(
            cronFires(
                "@every 1m", after: "2025-01-01T00:00:00Z", start: "2026-01-01T00:00:00Z",
                end: "2026-01-01T00:02:30Z"),
            utc(["2026-01-01T00:00:00Z", "2026-01-01T00:01:00Z", "2026-01-01T00:02:00Z"]))
    }

    func testExtremeInstantsNeitherCrashNorOverflow() throws {
        for text in ["* * * * * *", "0 0 29 2 *", "@every 1s"] {
            let schedule = CronSchedule(
                expression: try CronExpression.parse(text),
                timeZone: try XCTUnwrap(TimeZone(identifier: "Europe/Berlin")))
            XCTAssertNil(schedule.next(after: .max), text)
            XCTAssertNil(schedule.next(after: .max - 1), text)
            XCTAssertNotNil(schedule.next(after: .min), text)
            XCTAssertNotNil(schedule.next(after: -1), text)
        }
        // A start far in the past with an @every that cannot be counted that far is nil rather than a trap.
        let far = CronSchedule(expression: try CronExpression.parse("@every 1s"), startNs: .min)
        XCTAssertNil(far.next(after: .max - 1))
    }

    func testZoneWithoutDaylightSavingAndAHalfHourOffset() {
        // Asia/Kolkata is UTC+05:30 all year: 09:00 local is 03:30Z.
        XCTAssertEqual(
            cronFires("0 9 * * *", in: "Asia/Kolkata", after: "2026-03-08T00:00:00Z", count: 3),
            utc(["2026-03-08T09:00:00+05:30", "2026-03-09T09:00:00+05:30", "2026-03-10T09:00:00+05:30"]))
        XCTAssertEqual(utc(["2026-03-08T09:00:00+05:30"]), utc(["2026-03-08T03:30:00Z"]))
        // The weekday is the local one: Monday 2 March 03:30 IST is still Sunday 1 March (22:00Z) in UTC.
        XCTAssertEqual(
            cronFires("30 3 * * MON", in: "Asia/Kolkata", after: "2026-03-01T00:00:00Z", count: 2),
            utc(["2026-03-01T22:00:00Z", "2026-03-08T22:00:00Z"]))
        // Local midnight is 18:30Z the day before.
        XCTAssertEqual(
            cronFires("@daily", in: "Asia/Kolkata", after: "2026-01-01T00:00:00Z", count: 2),
            utc(["2026-01-01T18:30:00Z", "2026-01-02T18:30:00Z"]))
    }
}
