import TockCore
import TockModel
import XCTest

/// Every time and duration a client gives is checked against the 100-year window before any arithmetic, so the
/// requests that took nodes down are 400s naming the field.
final class TimeWindowTests: XCTestCase {
    let now: Int64 = 1_765_000_000_000_000_000  // 2025-12-06T05:46:40Z

    private func problem(_ json: String) -> FieldError? {
        do {
            _ = try JobRequest.parse(json: Array(json.utf8), nowNs: now)
            return nil
        } catch {
            return error
        }
    }

    func testTheWindowIsAHundredYearsEachWayAndSaturates() throws {
        let window = TimeWindow.around(now)
        // 36,524.25 days: the calendar's century around now holds 25 leap days before and 24 after.
        XCTAssertEqual(RFC3339.format(ns: window.lowerBound, fractionDigits: 0), "1925-12-06T23:46:40Z")
        XCTAssertEqual(RFC3339.format(ns: window.upperBound, fractionDigits: 0), "2125-12-06T11:46:40Z")
        XCTAssertEqual(TimeWindow.around(.max).upperBound, .max)
        XCTAssertEqual(TimeWindow.around(.min).lowerBound, .min)
        XCTAssertNoThrow(try TimeWindow.check(window.upperBound, field: "run_at", nowNs: now))
        XCTAssertThrowsError(try TimeWindow.check(window.upperBound + 1, field: "run_at", nowNs: now)) { error in
            XCTAssertEqual((error as? FieldError)?.code, "out_of_range")
            XCTAssertEqual((error as? FieldError)?.field, "run_at")
        }
        XCTAssertThrowsError(try TimeWindow.checkDuration(-1, field: "delay"))
    }

    /// The requests of issue 16, and their neighbours: each is a 400 naming its field, none traps.
    func testTimesAndDurationsOutsideTheWindowAreNamed() {
        let url = #""url": "http://h/p""#
        let cases: [(String, String)] = [
            (#"{\#(url), "delay": "100000d"}"#, "delay"),
            (#"{\#(url), "delay": "36525d"}"#, "delay"),
            (#"{\#(url), "delay": "9223372036s"}"#, "delay"),
            (#"{\#(url), "run_at": "2262-04-11T23:47:16.854775807Z"}"#, "run_at"),
            (#"{\#(url), "run_at": "2262-04-11T23:47:16.999999999Z"}"#, "run_at"),
            (#"{\#(url), "run_at": "9999-12-31T23:59:59Z"}"#, "run_at"),
            (#"{\#(url), "run_at": "1677-09-21T00:12:44Z"}"#, "run_at"),
            (#"{\#(url), "run_at": "0000-01-01T00:00:00Z"}"#, "run_at"),
            (#"{\#(url), "schedule": {"cron": "* * * * *", "start": "1677-09-21T00:12:44Z"}}"#, "schedule.start"),
            (#"{\#(url), "schedule": {"cron": "* * * * *", "end": "2200-01-01T00:00:00Z"}}"#, "schedule.end"),
            (#"{\#(url), "schedule": {"cron": "@every 36525d"}}"#, "schedule.cron"),
            (#"{\#(url), "schedule": {"cron": "@every 100000000000000000000s"}}"#, "schedule.cron"),
        ]
        for (json, field) in cases {
            XCTAssertEqual(problem(json)?.field, field, json)
        }
    }

    func testTimesJustInsideTheWindowAreAccepted() throws {
        let spec = try JobRequest.parse(json: Array(#"{"url": "http://h/p", "delay": "36524d"}"#.utf8), nowNs: now)
        XCTAssertEqual(spec.dueAtNs, now + 36_524 * 86_400_000_000_000)
        let past = try JobRequest.parse(
            json: Array(#"{"url": "http://h/p", "run_at": "1926-01-01T00:00:00Z"}"#.utf8),
            nowNs: now)
        XCTAssertEqual(past.dueAtNs, now, "a time in the past means now")
        XCTAssertNil(problem(#"{"url": "http://h/p", "schedule": {"cron": "@every 36524d"}}"#))
    }

    func testProtobufTimesAreCheckedToo() {
        var spec = JobSpec(
            id: "", priority: .normal, target: HTTPTarget(url: "http://h/p", method: "POST", headers: [], body: []),
            timeoutMs: 0, maxAttempts: 0, idempotencyKey: "", dueAtNs: .max)
        XCTAssertThrowsError(try JobRequest.validate(spec, nowNs: now)) { error in
            XCTAssertEqual((error as? FieldError)?.field, "run_at")
        }
        spec.dueAtNs = 0
        spec.schedule = Schedule(cron: "* * * * *", startAtNs: .min)
        XCTAssertThrowsError(try JobRequest.validate(spec, nowNs: now)) { error in
            XCTAssertEqual((error as? FieldError)?.field, "schedule.start")
        }
        spec.schedule = Schedule(cron: "* * * * *", endAtNs: .max)
        XCTAssertThrowsError(try JobRequest.validate(spec, nowNs: now)) { error in
            XCTAssertEqual((error as? FieldError)?.field, "schedule.end")
        }
    }

    func testSaturatingArithmeticStopsAtTheEnds() {
        XCTAssertEqual(Int64.max.saturatingAdding(1), .max)
        XCTAssertEqual(Int64.min.saturatingAdding(-1), .min)
        XCTAssertEqual(Int64.min.saturatingSubtracting(1), .min)
        XCTAssertEqual(Int64.max.saturatingSubtracting(-1), .max)
        XCTAssertEqual(Int64.max.saturatingMultiplied(by: 2), .max)
        XCTAssertEqual(Int64.max.saturatingMultiplied(by: -2), .min)
        XCTAssertEqual(Int64.min.saturatingMultiplied(by: -1), .max)
        XCTAssertEqual(Int64(6).saturatingMultiplied(by: 7), 42)
    }
}
