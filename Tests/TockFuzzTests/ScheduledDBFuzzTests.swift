import TockCore
import TockFrontDoor
import TockRaft
import XCTest

/// scheduled-db's `POST /jobs` bodies and its timestamps: whatever a client sends, `ScheduledDBRequest` answers
/// with a `FieldError` or a job, and `ScheduledDBTimestamp` reads a time or refuses it; neither traps.
final class ScheduledDBFuzzTests: XCTestCase {
    static let timestamps = [
        "1735120800", "-1735120800", "+5", "2024-12-25T10:00:00Z", "2024-12-25T10:00:00.999+02:00",
        "2024-12-25 10:00:00", "1733450000000", "9223372036854775807", "-9223372036854775808", "0000-01-01 00:00:00",
        "1969-12-31T23:59:59.5Z", "1900-01-01T00:00:00.25-05:00",
    ]

    /// A time as clients write one: mostly seconds or RFC 3339 near now, else milliseconds by mistake, the ends
    /// of `Int64`, Go's layout, or nonsense.
    static func time(nowNs: Int64, _ random: inout SplitMix64) -> JSONValue {
        let seconds = ScheduledDBTimestamp.seconds(ns: nowNs).saturatingAdding(Int64(random.within(-100...100_000_000)))
        switch random.below(8) {
        case 0..<3: return .int(seconds)
        case 3: return .string(String(seconds))
        case 4: return .string(RFC3339.format(ns: seconds.saturatingMultiplied(by: 1_000_000_000), fractionDigits: 0))
        case 5: return .int(random.oneIn(2) ? random.edgyInt64() : seconds.saturatingMultiplied(by: 1000))
        case 6: return .string(random.pick(timestamps))
        default: return random.pick([.null, .string(""), .double(1.5e300), .bool(true), .array([])])
        }
    }

    static func body(nowNs: Int64, _ random: inout SplitMix64) -> [String: JSONValue] {
        var fields: [String: JSONValue] = [:]
        if !random.oneIn(20) {
            fields["type"] =
                random.oneIn(10)
                ? random.pick([
                    .string(random.text(maxLength: 10)), .string("Unico"),
                    .string(""), .int(1),
                ])
                : .string(random.pick(["unico", "recurrente"]))
        }
        if !random.oneIn(4) { fields["timestamp"] = time(nowNs: nowNs, &random) }
        if random.oneIn(2) { fields["last_date"] = time(nowNs: nowNs, &random) }
        if !random.oneIn(3) {
            fields["cron_expression"] = .string(
                random.oneIn(8)
                    ? random.text(maxLength: 12)
                    : random.pick(
                        CronFuzzTests.expressions + ["* * * * *", "0 9 * * 1-5", "*/5 * * * *", "61 * * * *"]))
        }
        if !random.oneIn(20) {
            fields["webhook_url"] = .string(
                random.oneIn(8)
                    ? random.pick(["ftp://x", "", random.text(maxLength: 20)])
                    : random.pick(["https://x.test/h", "http://127.0.0.1:9/x"]))
        }
        if random.oneIn(2) {
            fields["payload"] =
                random.oneIn(8)
                ? JSONGenerator.value(depth: 2, using: &random)
                : .object(["order": JSONGenerator.value(depth: 2, using: &random)])
        }
        if random.oneIn(3) { fields["id"] = random.oneIn(8) ? .int(7) : .string(random.text(maxLength: 10)) }
        return fields
    }

    func testRandomRequestsBecomeJobsOrClearErrors() {
        fuzzBodies("requests", examples: 4000) { nowNs, random in
            Self.body(nowNs: nowNs, &random)
        } submit: { body, nowNs in
            Self.submit(body, nowNs: nowNs)
        }
    }

    func testMutatedRequestsBecomeJobsOrClearErrors() {
        var corpusRandom = SplitMix64(seed: 16)
        let corpus = (0..<30).map { _ in
            let fields = Self.body(nowNs: RequestBodies.now(&corpusRandom), &corpusRandom)
            return Array(JSONGenerator.text(of: .object(fields), using: &corpusRandom).utf8)
        }
        let mutator = FuzzMutator(tokens: JSONParserFuzzTests.tokens + Self.timestamps.map { Array($0.utf8) })
        fuzz("mutated", examples: 4000) { random -> (body: [UInt8], nowNs: Int64) in
            (mutator.mutate(anyOf: corpus, using: &random), RequestBodies.now(&random))
        } describe: {
            "\(JSONParserFuzzTests.show($0.body)) at \($0.nowNs)"
        } property: { body, nowNs in
            _ = Self.submit(body, nowNs: nowNs)
        }
    }

    /// What `POST /jobs` does; whether it became a job.
    static func submit(_ body: [UInt8], nowNs: Int64) -> Bool {
        (try? ScheduledDBRequest.jobSpec(json: body, nowNs: nowNs)) != nil
    }

    /// Found by the fuzzing: a `recurrente` timestamp in milliseconds trapped on its way to nanoseconds.
    func testRegressionARecurringTimestampInMilliseconds() {
        let body =
            #"{"type": "recurrente", "timestamp": 1733450000000, "cron_expression": "* * * * *","#
            + #" "webhook_url": "http://x.test/h"}"#
        XCTAssertThrowsError(try ScheduledDBRequest.jobSpec(json: Array(body.utf8), nowNs: 1_733_450_000_000_000_000))
    }

    func testTimestampsParseOrAreRefused() {
        let mutator = FuzzMutator(tokens: TimeTextFuzzTests.timeTokens)
        fuzz("timestamps", examples: 10_000) { random in
            mutator.mutate(anyOf: Self.timestamps, using: &random)
        } property: { text in
            guard let seconds = ScheduledDBTimestamp.parseSeconds(text), let ns = RFC3339.parseNs(text) else { return }
            // The second the time falls in, as Go's `Time.Unix` gives it (rounded down, also before 1970).
            let (start, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
            let (into, past) = ns.subtractingReportingOverflow(start)
            guard !overflow, !past, (0..<1_000_000_000).contains(into) else {
                throw Fuzz.Failure("\(seconds) s, but the RFC 3339 time is \(ns) ns")
            }
        }
    }
}
