import TockCore
import XCTest

/// The daylight-saving rules documented on `CronSchedule`: a fixed-time schedule runs once on a change day (at
/// the end of a gap, or at the first of two repeated times); an interval-like one (hour `*` or stepped) runs at
/// every instant whose local time matches. Transition instants, from the zones' published rules:
///
/// - America/New_York: 2026-03-08 02:00 EST (-05:00) → 03:00 EDT (-04:00), at 07:00Z;
///   2026-11-01 02:00 EDT → 01:00 EST, at 06:00Z, so 01:00–01:59 happens twice (05:xxZ, then 06:xxZ).
/// - Europe/Berlin: 2026-03-29 02:00 CET (+01:00) → 03:00 CEST (+02:00), at 01:00Z;
///   2026-10-25 03:00 CEST → 02:00 CET, at 01:00Z, so 02:00–02:59 happens twice (00:xxZ, then 01:xxZ).
/// - Australia/Lord_Howe, a 30-minute shift: 2026-04-05 02:00 (+11:00) → 01:30 (+10:30), at 2026-04-04T15:00Z,
///   so 01:30–01:59 happens twice; 2026-10-04 02:00 (+10:30) → 02:30 (+11:00), at 2026-10-03T15:30Z.
final class CronDaylightSavingTests: XCTestCase {
    // MARK: New York

    func testNewYorkSpringForwardRunsAFixedTimeOnceAtTheEndOfTheGap() {
        // 02:30 does not exist on 8 March; it runs at 03:00 EDT (07:00Z), the first instant after the gap.
        XCTAssertEqual(
            cronFires("30 2 * * *", in: "America/New_York", after: "2026-03-07T00:00:00-05:00", count: 3),
            utc(["2026-03-07T02:30:00-05:00", "2026-03-08T03:00:00-04:00", "2026-03-09T02:30:00-04:00"]))
        // Two times in the gap still make one run that day.
        XCTAssertEqual(
            cronFires("0,30 2 * * *", in: "America/New_York", after: "2026-03-07T00:00:00-05:00"),
            utc([
                "2026-03-07T02:00:00-05:00", "2026-03-07T02:30:00-05:00", "2026-03-08T03:00:00-04:00",
                "2026-03-09T02:00:00-04:00", "2026-03-09T02:30:00-04:00",
            ]))
        // Asked from just before the jump, and from the jump itself (already run then).
        XCTAssertEqual(
            cronFires("30 2 * * *", in: "America/New_York", after: "2026-03-08T06:59:59Z", count: 1),
            utc(["2026-03-08T07:00:00Z"]))
        XCTAssertEqual(
            cronFires("30 2 * * *", in: "America/New_York", after: "2026-03-08T07:00:00Z", count: 1),
            utc(["2026-03-09T02:30:00-04:00"]))
        // A fixed time after the gap is untouched; local midnight moves from 05:00Z to 04:00Z.
        XCTAssertEqual(
            cronFires("@daily", in: "America/New_York", after: "2026-03-07T12:00:00Z", count: 2),
            utc(["2026-03-08T05:00:00Z", "2026-03-09T04:00:00Z"]))
    }

    func testNewYorkSpringForwardSkipsMissingTimesOfIntervalSchedules() {
        // 02:00 and 02:30 do not exist: 01:30 EST, then 03:00 EDT, which is the very next instant.
        XCTAssertEqual(
            cronFires("*/30 * * * *", in: "America/New_York", after: "2026-03-08T01:00:00-05:00", count: 3),
            utc(["2026-03-08T01:30:00-05:00", "2026-03-08T03:00:00-04:00", "2026-03-08T03:30:00-04:00"]))
        // Hourly stays hourly in real time: 06:00Z, 07:00Z, 08:00Z.
        XCTAssertEqual(
            cronFires("0 * * * *", in: "America/New_York", after: "2026-03-08T00:30:00-05:00", count: 3),
            utc(["2026-03-08T01:00:00-05:00", "2026-03-08T03:00:00-04:00", "2026-03-08T04:00:00-04:00"]))
    }

    func testNewYorkFallBackRunsAFixedTimeOnceAtItsFirstOccurrence() {
        // 01:30 on 1 November is 05:30Z (EDT) and again 06:30Z (EST); only the first.
        XCTAssertEqual(
            cronFires("30 1 * * *", in: "America/New_York", after: "2026-10-31T00:00:00-04:00", count: 3),
            utc(["2026-10-31T01:30:00-04:00", "2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"]))
        // Asked from inside the repeated hour, after the first 01:30: not again at the second, the next day.
        XCTAssertEqual(
            cronFires("30 1 * * *", in: "America/New_York", after: "2026-11-01T01:45:00-04:00", count: 1),
            utc(["2026-11-02T01:30:00-05:00"]))
        XCTAssertEqual(
            cronFires("30 1 * * *", in: "America/New_York", after: "2026-11-01T01:15:00-05:00", count: 1),
            utc(["2026-11-02T01:30:00-05:00"]))
        // 02:00 happens once (EST, 07:00Z).
        XCTAssertEqual(
            cronFires("0 2 * * *", in: "America/New_York", after: "2026-10-31T12:00:00Z", count: 2),
            utc(["2026-11-01T02:00:00-05:00", "2026-11-02T02:00:00-05:00"]))
    }

    /// Only the hour field makes a schedule interval-like: every quarter of the 1 o'clock (or 2 o'clock) hour is
    /// a fixed-time schedule, run in the first 01:00–01:59 only, and once for the missing 02:00–02:59.
    func testAFixedHourWithSteppedMinutesIsFixedTime() {
        XCTAssertEqual(
            cronFires("*/15 1 * * *", in: "America/New_York", after: "2026-11-01T00:00:00-04:00"),
            utc([
                "2026-11-01T01:00:00-04:00", "2026-11-01T01:15:00-04:00", "2026-11-01T01:30:00-04:00",
                "2026-11-01T01:45:00-04:00", "2026-11-02T01:00:00-05:00",
            ]))
        XCTAssertEqual(
            cronFires("*/15 2 * * *", in: "America/New_York", after: "2026-03-07T02:50:00-05:00", count: 3),
            utc(["2026-03-08T03:00:00-04:00", "2026-03-09T02:00:00-04:00", "2026-03-09T02:15:00-04:00"]))
    }

    func testNewYorkFallBackRunsIntervalSchedulesInBothOccurrences() {
        XCTAssertEqual(
            cronFires("*/30 * * * *", in: "America/New_York", after: "2026-11-01T00:45:00-04:00"),
            utc([
                "2026-11-01T01:00:00-04:00", "2026-11-01T01:30:00-04:00", "2026-11-01T01:00:00-05:00",
                "2026-11-01T01:30:00-05:00", "2026-11-01T02:00:00-05:00",
            ]))
        // Hourly: 05:00Z, 06:00Z, 07:00Z, 08:00Z, one hour apart in real time.
        XCTAssertEqual(
            cronFires("0 * * * *", in: "America/New_York", after: "2026-11-01T00:00:00-04:00", count: 4),
            utc([
                "2026-11-01T01:00:00-04:00", "2026-11-01T01:00:00-05:00", "2026-11-01T02:00:00-05:00",
                "2026-11-01T03:00:00-05:00",
            ]))
        // From between the two 01:00s, the second comes before the first 01:30's repeat.
        XCTAssertEqual(
            cronFires("*/30 * * * *", in: "America/New_York", after: "2026-11-01T01:40:00-04:00", count: 2),
            utc(["2026-11-01T01:00:00-05:00", "2026-11-01T01:30:00-05:00"]))
    }

    // MARK: Berlin

    func testBerlinSpringForward() {
        // 02:30 does not exist on 29 March: 03:00 CEST (01:00Z).
        XCTAssertEqual(
            cronFires("30 2 * * *", in: "Europe/Berlin", after: "2026-03-28T00:00:00+01:00", count: 3),
            utc(["2026-03-28T02:30:00+01:00", "2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00"]))
        XCTAssertEqual(
            cronFires("*/30 * * * *", in: "Europe/Berlin", after: "2026-03-29T01:00:00+01:00", count: 3),
            utc(["2026-03-29T01:30:00+01:00", "2026-03-29T03:00:00+02:00", "2026-03-29T03:30:00+02:00"]))
    }

    func testBerlinFallBack() {
        // 02:30 on 25 October is 00:30Z (CEST) and again 01:30Z (CET); a fixed time runs at the first only.
        XCTAssertEqual(
            cronFires("30 2 * * *", in: "Europe/Berlin", after: "2026-10-24T00:00:00+02:00", count: 3),
            utc(["2026-10-24T02:30:00+02:00", "2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00"]))
        XCTAssertEqual(
            cronFires("0 * * * *", in: "Europe/Berlin", after: "2026-10-25T01:30:00+02:00", count: 3),
            utc(["2026-10-25T02:00:00+02:00", "2026-10-25T02:00:00+01:00", "2026-10-25T03:00:00+01:00"]))
        XCTAssertEqual(
            cronFires("*/30 * * * *", in: "Europe/Berlin", after: "2026-10-25T01:45:00+02:00"),
            utc([
                "2026-10-25T02:00:00+02:00", "2026-10-25T02:30:00+02:00", "2026-10-25T02:00:00+01:00",
                "2026-10-25T02:30:00+01:00", "2026-10-25T03:00:00+01:00",
            ]))
    }

    // MARK: Lord Howe (30-minute shift)

    func testLordHoweFallBackRepeatsHalfAnHour() {
        // 01:45 on 5 April is 14:45Z (+11:00), and again 15:15Z (+10:30); a fixed time runs at the first only.
        XCTAssertEqual(
            cronFires("45 1 * * *", in: "Australia/Lord_Howe", after: "2026-04-04T00:00:00+11:00", count: 3),
            utc(["2026-04-04T01:45:00+11:00", "2026-04-05T01:45:00+11:00", "2026-04-06T01:45:00+10:30"]))
        // Every quarter hour: 01:30 and 01:45 twice, then 02:00 once.
        XCTAssertEqual(
            cronFires("*/15 * * * *", in: "Australia/Lord_Howe", after: "2026-04-05T01:20:00+11:00"),
            utc([
                "2026-04-05T01:30:00+11:00", "2026-04-05T01:45:00+11:00", "2026-04-05T01:30:00+10:30",
                "2026-04-05T01:45:00+10:30", "2026-04-05T02:00:00+10:30",
            ]))
        XCTAssertEqual(utc(["2026-04-05T01:30:00+10:30"]), utc(["2026-04-04T15:00:00Z"]))
    }

    func testLordHoweSpringForwardSkipsHalfAnHour() {
        // 02:15 on 4 October does not exist (02:00 → 02:30): it runs at 02:30 (+11:00), 15:30Z on the 3rd.
        XCTAssertEqual(
            cronFires("15 2 * * *", in: "Australia/Lord_Howe", after: "2026-10-03T00:00:00+10:30", count: 3),
            utc(["2026-10-03T02:15:00+10:30", "2026-10-04T02:30:00+11:00", "2026-10-05T02:15:00+11:00"]))
        XCTAssertEqual(utc(["2026-10-04T02:30:00+11:00"]), utc(["2026-10-03T15:30:00Z"]))
        // Hourly: 02:00 does not exist, so 01:00 (14:30Z) then 03:00 (16:00Z).
        XCTAssertEqual(
            cronFires("0 * * * *", in: "Australia/Lord_Howe", after: "2026-10-04T00:30:00+10:30", count: 3),
            utc(["2026-10-04T01:00:00+10:30", "2026-10-04T03:00:00+11:00", "2026-10-04T04:00:00+11:00"]))
        // Half-hourly: 02:00 does not exist, 02:30 does.
        XCTAssertEqual(
            cronFires("*/30 * * * *", in: "Australia/Lord_Howe", after: "2026-10-04T01:40:00+10:30", count: 2),
            utc(["2026-10-04T02:30:00+11:00", "2026-10-04T03:00:00+11:00"]))
    }
}
