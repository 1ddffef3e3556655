import TockCore
import TockFrontDoor
import TockModel
import TockWire
import XCTest

/// scheduled-db's `POST /jobs` body becomes the Tock job it describes, or an error in scheduled-db's words.
final class ScheduledDBRequestTests: XCTestCase {
    /// 2024-12-24T00:26:40Z.
    let nowNs: Int64 = 1_735_000_000 * 1_000_000_000
    /// 2024-12-25T10:00:00Z.
    let christmas: Int64 = 1_735_120_800

    func spec(_ json: String) throws(FieldError) -> JobSpec {
        try ScheduledDBRequest.jobSpec(json: Array(json.utf8), nowNs: nowNs)
    }

    func error(_ json: String) -> FieldError? {
        do {
            _ = try spec(json)
            return nil
        } catch {
            return error
        }
    }

    func testAOneTimeJobIsAScheduledDBFormatPOSTOfThePayloadAtTheTimestamp() throws {
        let spec = try spec(
            """
            {"type": "unico", "timestamp": "2024-12-25T10:00:00Z", "webhook_url": "https://example.com/webhook",
             "payload": {"message": "Merry Christmas!", "year": 2024}}
            """)
        XCTAssertEqual(spec.target.url, "https://example.com/webhook")
        XCTAssertEqual(spec.target.method, "POST")
        XCTAssertEqual(
            String(decoding: spec.target.body, as: UTF8.self), #"{"message":"Merry Christmas!","year":2024}"#)
        XCTAssertEqual(spec.target.headers, [Header(name: "Content-Type", value: "application/json")])
        XCTAssertEqual(spec.dueAtNs, christmas * 1_000_000_000)
        XCTAssertEqual(spec.webhookFormat, .scheduledDB)
        XCTAssertEqual(spec.idempotencyKey, "")
        XCTAssertEqual(spec.priority, .normal)
        XCTAssertEqual(spec.maxAttempts, SubmitPolicy().defaultMaxAttempts)
    }

    func testWithoutAPayloadTheBodyIsEmpty() throws {
        let spec = try spec(#"{"type": "unico", "timestamp": "1735120800", "webhook_url": "http://h/p"}"#)
        XCTAssertEqual(spec.target.body, [])
    }

    func testWithoutAWebhookTheJobIsATimerThatKeepsNoPayload() throws {
        let spec = try spec(
            #"{"type": "unico", "timestamp": "1735120800", "id": "t-1", "payload": {"kept": false}}"#)
        XCTAssertEqual(spec.destination, .timer)
        XCTAssertEqual(spec.target, .empty)
        XCTAssertEqual(spec.dueAtNs, christmas * 1_000_000_000)
        XCTAssertEqual(spec.idempotencyKey, "t-1")
        XCTAssertEqual(spec.webhookFormat, .scheduledDB)
        let recurring = try self.spec(#"{"type": "recurrente", "cron_expression": "0 9 * * *"}"#)
        XCTAssertEqual(recurring.destination, .timer)
        XCTAssertEqual(recurring.schedule?.cron, "0 9 * * *")
        let webhook = try self.spec(#"{"type": "unico", "timestamp": "1735120800", "webhook_url": "http://h/p"}"#)
        XCTAssertEqual(webhook.destination, .webhook)
    }

    func testEveryTimestampFormatScheduledDBAccepts() throws {
        for timestamp in [
            #""1735120800""#, #""2024-12-25T10:00:00Z""#, #""2024-12-25T12:00:00+02:00""#,
            #""2024-12-25T05:00:00-05:00""#, #""2024-12-25T10:00:00.750Z""#, #""2024-12-25 10:00:00""#,
            "1735120800",
        ] {
            let parsed = try spec(#"{"type": "unico", "timestamp": \#(timestamp), "webhook_url": "http://h/p"}"#)
            XCTAssertEqual(parsed.dueAtNs, christmas * 1_000_000_000, timestamp)
        }
    }

    func testACustomIDIsTheIdempotencyKey() throws {
        let spec = try spec(
            #"{"id": "daily-report-2024-12-25", "type": "unico", "timestamp": "1735120800", "webhook_url": "http://h/p"}"#
        )
        XCTAssertEqual(spec.idempotencyKey, "daily-report-2024-12-25")
    }

    func testUnknownFieldsAreIgnoredAndEmptyStringsAreAbsentAsInGo() throws {
        // A unico job does not read last_date or cron_expression at all, so even a bad one is ignored.
        let spec = try spec(
            """
            {"type": "unico", "timestamp": "1735120800", "webhook_url": "http://h/p", "id": "", "extra": [1],
             "last_date": "not a time", "cron_expression": "nonsense", "payload": null}
            """)
        XCTAssertEqual(spec.idempotencyKey, "")
        XCTAssertEqual(spec.target.body, [])
    }

    func testErrorsNameTheFieldWithScheduledDBsMessage() {
        let url = #""webhook_url": "http://h/p""#
        let cases: [(String, String?, String)] = [
            ("", nil, "Invalid request body"),
            ("[1]", nil, "Invalid request body"),
            (#"{"timestamp": "1735120800", \#(url)}"#, "type", "Job validation failed: invalid job type: "),
            (#"{"type": "once", \#(url)}"#, "type", "Job validation failed: invalid job type: once"),
            (#"{"type": 1, \#(url)}"#, "type", "Invalid request body: type must be a string, not a number"),
            (
                #"{"type": "unico", \#(url)}"#, "timestamp",
                "Job validation failed: timestamp is required for unico jobs"
            ),
            (
                #"{"type": "unico", "timestamp": "tomorrow", \#(url)}"#, "timestamp",
                "Invalid job data: invalid timestamp: invalid timestamp format: tomorrow"
            ),
            (
                #"{"type": "unico", "timestamp": "1735000000", \#(url)}"#, "timestamp",
                "Job validation failed: timestamp must be in the future"
            ),
            (
                #"{"type": "unico", "timestamp": "2001-01-01T00:00:00Z", \#(url)}"#, "timestamp",
                "Job validation failed: timestamp must be in the future"
            ),
            (
                #"{"type": "unico", "timestamp": "1735120800", "webhook_url": "ftp://h/p"}"#, "webhook_url",
                "Job validation failed: webhook_url must be an absolute http or https URL"
            ),
            (
                #"{"type": "unico", "timestamp": "1735120800", \#(url), "payload": [1]}"#, "payload",
                "Invalid request body: payload must be a JSON object, not an array"
            ),
            (
                #"{"type": "unico", "timestamp": "1735120800", \#(url), "id": "a\nb"}"#, "id",
                "Job validation failed: id must be 1 to 256 printable characters"
            ),
            (
                #"{"type": "recurrente", \#(url)}"#, "cron_expression",
                "Job validation failed: cron_expression is required for recurrente jobs"
            ),
            (
                #"{"type": "recurrente", "cron_expression": "0 9 * *", \#(url)}"#, "cron_expression",
                "Job validation failed: invalid cron expression: expected exactly 5 fields, found 4: [0 9 * *]"
            ),
            (
                #"{"type": "recurrente", "cron_expression": "0 9 * * *", "last_date": "soon", \#(url)}"#, "last_date",
                "Invalid job data: invalid last_date: invalid timestamp format: soon"
            ),
        ]
        for (json, field, message) in cases {
            let error = self.error(json)
            XCTAssertEqual(error?.field, field, json)
            XCTAssertEqual(error?.message, message, json)
        }
    }

    func testAPayloadOverTheBodyLimitIsNamedAsPayload() {
        var policy = SubmitPolicy()
        policy.maxBodyBytes = 8
        let json =
            #"{"type": "unico", "timestamp": "1735120800", "webhook_url": "http://h/p", "payload": {"long": "value"}}"#
        XCTAssertThrowsError(try ScheduledDBRequest.jobSpec(json: Array(json.utf8), nowNs: nowNs, policy: policy)) {
            XCTAssertEqual(($0 as? FieldError)?.field, "payload")
        }
    }

    func testARecurringJobRunsOnItsCronUntilItsLastDate() throws {
        let json = """
            {"type": "recurrente", "cron_expression": "0 9 * * 1-5", "last_date": "2024-12-31T23:59:59Z",
             "webhook_url": "https://example.com/daily-report"}
            """
        let request = try ScheduledDBRequest.parse(json: Array(json.utf8), nowNs: nowNs)
        XCTAssertEqual(request.type, .recurrente)
        XCTAssertEqual(
            request.schedule,
            .recurring(
                cronExpression: "0 9 * * 1-5", firstRunSeconds: nil,
                lastDateSeconds: 1_735_689_599))
        let spec = try request.jobSpec(nowNs: nowNs)
        XCTAssertEqual(spec.schedule?.cron, "0 9 * * 1-5")
        XCTAssertEqual(spec.schedule?.endAtNs, 1_735_689_599 * 1_000_000_000)
        XCTAssertEqual(spec.schedule?.timeZone, "", "UTC, as scheduled-db")
        // nowNs is Tuesday 2024-12-24 00:26:40 UTC: the first run is that morning at 09:00.
        XCTAssertEqual(spec.dueAtNs, 1_735_030_800 * 1_000_000_000)
        XCTAssertEqual(spec.webhookFormat, .scheduledDB)

        let ended =
            #"{"type": "recurrente", "cron_expression": "0 9 * * *", "last_date": "1700000000", "webhook_url": "http://h/p"}"#
        XCTAssertThrowsError(try ScheduledDBRequest.jobSpec(json: Array(ended.utf8), nowNs: nowNs)) { error in
            XCTAssertEqual((error as? FieldError)?.field, "last_date", "\(error)")
        }
        let bad = #"{"type": "recurrente", "cron_expression": "0 25 * * *", "webhook_url": "http://h/p"}"#
        XCTAssertThrowsError(try ScheduledDBRequest.jobSpec(json: Array(bad.utf8), nowNs: nowNs)) { error in
            XCTAssertEqual((error as? FieldError)?.field, "cron_expression", "\(error)")
        }
    }

    func testARecurringJobKeepsItsFirstRun() throws {
        let json =
            #"{"type": "recurrente", "cron_expression": "*/15 * * * *", "timestamp": "1735120800", "webhook_url": "http://h/p"}"#
        XCTAssertEqual(
            try ScheduledDBRequest.parse(json: Array(json.utf8), nowNs: nowNs).schedule,
            .recurring(cronExpression: "*/15 * * * *", firstRunSeconds: christmas, lastDateSeconds: nil))
    }

    func testJunkIsAnErrorNeverACrash() {
        let junk: [[UInt8]] = [
            [], [0xFF, 0xFE], Array("null".utf8), Array("\"unico\"".utf8), Array(#"{"type": {"a": 1}}"#.utf8),
            Array(String(repeating: "[", count: 10_000).utf8), Array(#"{"type": "unico", "timestamp": 1e300}"#.utf8),
            Array(#"{"type": "unico", "timestamp": "99999999999999999999", "webhook_url": "http://h"}"#.utf8),
            Array(#"{"type": "unico", "timestamp": "9223372036854775807", "webhook_url": "http://h"}"#.utf8),
            Array(#"{"type": "unico", "timestamp": -9223372036854775808, "webhook_url": "http://h"}"#.utf8),
        ]
        for bytes in junk {
            XCTAssertThrowsError(try ScheduledDBRequest.jobSpec(json: bytes, nowNs: nowNs), "\(bytes.prefix(40))")
        }
    }
}

extension ScheduledDBRequestTests {
    /// A count of milliseconds is refused with a message that says so, for every field that takes a time; a time
    /// beyond the window in seconds is refused as out of range. Either used to trap.
    func testMillisecondsAndFarTimesAreNamedNotTrapped() {
        let url = #""webhook_url": "http://h/p""#
        let millis = "1733450000000"
        let cases: [(String, String, String)] = [
            (#"{"type": "unico", "timestamp": \#(millis), \#(url)}"#, "timestamp", "looks like milliseconds"),
            (#"{"type": "unico", "timestamp": "\#(millis)", \#(url)}"#, "timestamp", "looks like milliseconds"),
            (
                #"{"type": "recurrente", "timestamp": \#(millis), "cron_expression": "* * * * *", \#(url)}"#,
                "timestamp", "looks like milliseconds"
            ),
            (
                #"{"type": "recurrente", "last_date": \#(millis), "cron_expression": "* * * * *", \#(url)}"#,
                "last_date", "looks like milliseconds"
            ),
            (#"{"type": "unico", "timestamp": 99999999999, \#(url)}"#, "timestamp", "looks like milliseconds"),
            (
                #"{"type": "unico", "timestamp": 9999999999999999, \#(url)}"#, "timestamp",
                "is not within 100 years of now"
            ),
            (
                #"{"type": "recurrente", "timestamp": -99999999999999, "cron_expression": "* * * * *", \#(url)}"#,
                "timestamp", "is not within 100 years of now"
            ),
        ]
        for (json, field, words) in cases {
            let error = self.error(json)
            XCTAssertEqual(error?.field, field, json)
            XCTAssertEqual(error?.code, "out_of_range", json)
            XCTAssertTrue(error?.message.contains(words) == true, "\(json): \(error?.message ?? "accepted")")
        }
        XCTAssertTrue(
            error(#"{"type": "unico", "timestamp": \#(millis), \#(url)}"#)?.message.contains("(1733450000)")
                == true, "the message gives the seconds meant")
    }
}
