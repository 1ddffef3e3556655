import TockCore
import XCTest

/// `CronSchedule.parse`: each bad input is a FieldError naming the client's field.
final class CronValidationTests: XCTestCase {
    let names = CronSchedule.FieldNames(cron: "cron_expression", timeZone: "tz", start: "timestamp", end: "last_date")

    func parseError(_ expression: String?, zone: String? = nil, start: String? = nil, end: String? = nil)
        -> FieldError?
    {
        do {
            _ = try CronSchedule.parse(
                expression: expression, timeZone: zone, startNs: start.map(instant),
                endNs: end.map(instant), fields: names)
            return nil
        } catch {
            return error
        }
    }

    func testAcceptsAScheduleAndDefaultsToUTC() throws {
        let schedule = try CronSchedule.parse(expression: "0 9 * * MON-FRI", timeZone: nil, startNs: nil, endNs: nil)
        XCTAssertEqual(schedule.expression.description, "0 9 * * MON-FRI")
        XCTAssertEqual(schedule.timeZone.secondsFromGMT(), 0)
        XCTAssertEqual(
            try CronSchedule.parse(expression: "@daily", timeZone: "", startNs: nil, endNs: nil).timeZone,
            schedule.timeZone)
        let berlin = try CronSchedule.parse(
            expression: "@daily", timeZone: "Europe/Berlin", startNs: 1, endNs: 2 * 86_400_000_000_000)
        XCTAssertEqual(berlin.timeZone.identifier, "Europe/Berlin")
        XCTAssertEqual(berlin.startNs, 1)
        XCTAssertEqual(berlin.endNs, 2 * 86_400_000_000_000)
    }

    func testMissingOrInvalidExpressionIsOnTheCronField() {
        XCTAssertEqual(
            parseError(nil),
            FieldError(
                field: "cron_expression", code: "missing_field",
                message: "cron_expression is required"))
        XCTAssertEqual(parseError("  ")?.code, "missing_field")
        let error = parseError("0 25 * * *")
        XCTAssertEqual(error?.field, "cron_expression")
        XCTAssertEqual(error?.code, "invalid_field")
        XCTAssertTrue(error?.message.contains("hour") == true, error?.message ?? "")
    }

    func testUnknownTimeZoneIsOnTheTimeZoneField() {
        for zone in ["Mars/Olympus_Mons", "Europe/Berlln", "Not a zone"] {
            let error = parseError("@daily", zone: zone)
            XCTAssertEqual(error?.field, "tz", zone)
            XCTAssertTrue(error?.message.contains(zone) == true, error?.message ?? "")
        }
    }

    func testEndMustBeAfterStart() {
        let start = "2026-01-01T00:00:00Z"
        XCTAssertEqual(
            parseError("@hourly", start: start, end: "2025-12-31T23:00:00Z"),
            FieldError(field: "last_date", message: "last_date must be after timestamp"))
        XCTAssertEqual(parseError("@hourly", start: start, end: start)?.field, "last_date")
        XCTAssertNil(parseError("@hourly", start: start, end: "2026-01-01T01:00:00Z"))
        XCTAssertNil(parseError("@hourly", end: "2026-01-01T01:00:00Z"), "an end alone is fine")
    }

    func testAScheduleThatNeverFiresIsOnTheCronField() {
        for expression in ["0 0 30 2 *", "0 0 31 APR,JUN,SEP,NOV ?"] {
            let error = parseError(expression)
            XCTAssertEqual(error?.field, "cron_expression", expression)
            XCTAssertTrue(error?.message.contains("never fires") == true, error?.message ?? "")
        }
        // Fires, but not between the bounds: New Year's Day is outside February–December.
        let bounded = parseError("0 0 1 1 *", start: "2026-02-01T00:00:00Z", end: "2026-12-01T00:00:00Z")
        XCTAssertEqual(bounded?.field, "cron_expression")
        XCTAssertEqual(bounded?.message, "cron expression \"0 0 1 1 *\" never fires between timestamp and last_date")
        // Leap days only: fine, with or without a start.
        XCTAssertNil(parseError("0 0 29 2 *"))
        XCTAssertNil(parseError("0 0 29 2 *", start: "2026-03-01T00:00:00Z"))
    }
}
