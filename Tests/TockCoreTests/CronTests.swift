import TockCore
import XCTest

/// Parsing: what is accepted, and that every rejection says which part is wrong.
final class CronTests: XCTestCase {
    func testAcceptsStandardForms() throws {
        let accepted = [
            "* * * * *", "0 0 * * *", "*/5 * * * *", "0-59/10 * * * *", "5/15 * * * *", "0 9-17 * * 1-5",
            "0 0 1,15 * *", "0 0 * jan,Jul *", "0 0 * * sun", "0 0 * * SAT-SUN", "0 0 * * 7", "0 0 ? * MON",
            "0 0 1 * ?", "0 0 0 * * *", "*/10 * * * * *", "0 0 12 29 FEB *", "  0  0 * * *  ", "0\t0 * * *",
            "@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly", "@HOURLY",
            "@every 90s", "@every 1h30m", "@every 1s",
        ]
        for text in accepted {
            XCTAssertNoThrow(try CronExpression.parse(text), text)
        }
    }

    func testKeepsTheTextForDisplay() throws {
        XCTAssertEqual(try CronExpression.parse("*/5 * * * MON-FRI").description, "*/5 * * * MON-FRI")
        XCTAssertEqual(try CronExpression.parse("@every 90s").description, "@every 90s")
        XCTAssertEqual(try CronExpression.parse("@every 90s").intervalNs, 90_000_000_000)
        XCTAssertNil(try CronExpression.parse("@daily").intervalNs)
    }

    func testRejectionsNameTheFieldTheValueAndWhatIsAllowed() {
        let rejected: [(text: String, mentions: [String])] = [
            ("", ["empty"]),
            ("   ", ["empty"]),
            ("* * * *", ["5 fields", "found 4"]),
            ("* * * * * * *", ["found 7"]),
            ("60 * * * *", ["minute", "60", "0-59"]),
            ("* 24 * * *", ["hour", "24", "0-23"]),
            ("* * 0 * *", ["day-of-month", "0", "1-31"]),
            ("* * 32 * *", ["day-of-month", "32", "1-31"]),
            ("* * * 13 *", ["month", "13", "1-12 or JAN-DEC"]),
            ("* * * * 8", ["day-of-week", "8", "0-7 or SUN-SAT"]),
            ("* * * FOO *", ["month", "FOO", "JAN-DEC"]),
            ("* * * * FUNDAY", ["day-of-week", "FUNDAY", "SUN-SAT"]),
            ("* * * * JAN", ["day-of-week", "JAN", "SUN-SAT"]),
            ("0 0 * MON *", ["month", "MON", "JAN-DEC"]),
            ("*/0 * * * *", ["minute", "step \"0\"", "1 to 60"]),
            ("*/61 * * * *", ["minute", "step \"61\"", "1 to 60"]),
            ("0 */25 * * *", ["hour", "step \"25\"", "1 to 24"]),
            ("0 0 * * */x", ["day-of-week", "step \"x\""]),
            ("5-1 * * * *", ["minute", "5-1", "backwards"]),
            ("0 0 * * FRI-MON", ["day-of-week", "FRI-MON", "backwards"]),
            ("1,,2 * * * *", ["minute", "1,,2", "empty list item"]),
            ("1, * * * *", ["minute", "empty list item"]),
            ("? * * * *", ["minute", "?", "day-of-month and day-of-week"]),
            ("0 0 * ? *", ["month", "?"]),
            ("1/2/3 * * * *", ["minute", "1/2/3", "more than one /"]),
            ("60 * * * * *", ["second", "60", "0-59"]),
            ("-5 * * * *", ["minute", "-5"]),
            ("+5 * * * *", ["minute", "+5"]),
            ("1.5 * * * *", ["minute", "1.5"]),
            ("a b c d e", ["minute", "\"a\""]),
            ("@fortnightly", ["unknown macro", "@fortnightly"]),
            ("@daily 5", ["@daily takes nothing"]),
            ("@every", ["@every needs a duration"]),
            ("@every soon", ["soon", "not a duration"]),
            ("@every 500ms", ["500ms", "minimum, 1s"]),
            ("@every 0", ["minimum, 1s"]),
        ]
        for (text, mentions) in rejected {
            XCTAssertThrowsError(try CronExpression.parse(text, field: "cron_expression"), text) { error in
                guard let error = error as? FieldError else { return XCTFail("\(text): \(error)") }
                XCTAssertEqual(error.field, "cron_expression", text)
                XCTAssertEqual(error.code, "invalid_field", text)
                for part in mentions {
                    XCTAssertTrue(
                        error.message.contains(part), "\(text): \"\(error.message)\" does not mention \(part)")
                }
            }
        }
    }

    /// Values that parse the same way must fire the same way; checked through fire times, the public behaviour.
    func testEquivalentSpellingsFireAlike() {
        let after = "2026-01-01T00:00:00Z"  // a Thursday
        let sets: [[String]] = [
            ["0 0 * * 0", "0 0 * * 7", "0 0 * * sun", "0 0 * * SUN", "0 0 ? * Sun", "@weekly"],
            ["0 0 1 1 *", "0 0 1 JAN *", "0 0 1 jan ?", "@yearly", "@annually"],
            ["0 0 * * *", "@daily", "@midnight", "0 0 0 * * *", "0 0 */1 * *"],
            ["5,20,35,50 * * * *", "5/15 * * * *", "5-59/15 * * * *"],
            ["0 0 * * 1-5", "0 0 * * MON-FRI", "0 0 * * mon,tue,wed,thu,fri"],
            ["0 0 * * 5-7", "0 0 * * 0,5,6", "0 0 * * FRI-SAT,SUN", "0 0 * * FRI-SUN", "0 0 * * 5-0"],
        ]
        for spellings in sets {
            let expected = cronFires(spellings[0], after: after, count: 8)
            XCTAssertEqual(expected.count, 8, spellings[0])
            for spelling in spellings.dropFirst() {
                XCTAssertEqual(cronFires(spelling, after: after, count: 8), expected, "\(spelling) vs \(spellings[0])")
            }
        }
    }
}
