import TockCore
import TockModel
import TockRaft
import TockWire
import XCTest

/// Submit bodies (`POST /v1/jobs`, `tock.submit`) as JSON and as protobuf: whatever a client sends, `JobRequest`
/// answers with a `FieldError` or a job; it never traps.
final class JobRequestFuzzTests: XCTestCase {
    static func duration(_ random: inout SplitMix64) -> JSONValue {
        random.oneIn(4)
            ? random.pick([
                .int(random.edgyInt64()),
                .string(
                    random.pick([
                        "100000d", "36524d", "36525d", "9223372036854775807ns", "99999999999999999999d", "-5s", "", "0",
                    ])),
            ]) : .string(random.pick(TimeTextFuzzTests.durations + ["30s", "1ms", "15m", "1h30m", "1.5s"]))
    }

    /// Mostly RFC 3339 within a few years of now, else anywhere in `Int64` or text from the RFC 3339 target.
    static func time(nowNs: Int64, _ random: inout SplitMix64) -> JSONValue {
        let near = nowNs.saturatingAdding(Int64(random.within(-1_000_000...100_000_000)) * 1_000_000_000)
        return random.oneIn(4)
            ? random.pick([
                .int(random.edgyInt64()),
                .string(random.pick(TimeTextFuzzTests.times + ["1677-09-21T00:12:44Z"])),
                .string(RFC3339.format(ns: random.edgyInt64(), fractionDigits: 9)),
            ])
            : .string(RFC3339.format(ns: near, fractionDigits: random.within(0...9)))
    }

    static func body(nowNs: Int64, _ random: inout SplitMix64) -> [String: JSONValue] {
        var fields: [String: JSONValue] = [:]
        if !random.oneIn(20) {
            fields["url"] = .string(
                random.oneIn(8)
                    ? random.pick(["ftp://x", "", "/relative", random.text(maxLength: 20)])
                    : random.pick(["https://x.test/h", "http://127.0.0.1:9/x"]))
        }
        if random.oneIn(3) {
            fields["method"] = .string(
                random.oneIn(6)
                    ? random.pick(["post", "TRACE", random.text(maxLength: 5)])
                    : random.pick(["GET", "POST", "PUT", "DELETE"]))
        }
        if random.oneIn(3) {
            fields["headers"] =
                random.oneIn(6)
                ? JSONGenerator.value(depth: 1, using: &random)
                : .object(
                    Dictionary(
                        (0..<(random.oneIn(10) ? 70 : random.below(4))).map { index in
                            (
                                random.oneIn(6) ? random.text(maxLength: 8) : "X-H\(index)",
                                JSONValue.string(random.oneIn(6) ? random.text(maxLength: 8) : "v\(index)")
                            )
                        }
                    ) { first, _ in first })
        }
        if random.oneIn(3) { fields["body"] = JSONGenerator.value(depth: 2, using: &random) }
        switch random.below(4) {
        case 0: fields["run_at"] = time(nowNs: nowNs, &random)
        case 1: fields["delay"] = duration(&random)
        case 2:
            var schedule: [String: JSONValue] = [:]
            if !random.oneIn(10) { schedule["cron"] = .string(random.pick(CronFuzzTests.expressions)) }
            if random.oneIn(3) {
                schedule["time_zone"] = .string(random.pick(CronFuzzTests.zones + ["Mars/Base", ""]))
            }
            if random.oneIn(2) { schedule["start"] = time(nowNs: nowNs, &random) }
            if random.oneIn(3) { schedule["end"] = time(nowNs: nowNs, &random) }
            if random.oneIn(4) { schedule["overlap"] = .string(random.pick(["allow", "skip", "wait", "x"])) }
            if random.oneIn(4) { schedule["misfire"] = .string(random.pick(["run_once", "skip", "x"])) }
            fields["schedule"] = .object(schedule)
        default: break
        }
        if random.oneIn(10) { fields["delay"] = duration(&random) }  // with run_at or schedule: refused
        if random.oneIn(4) { fields["priority"] = .string(random.pick(Priority.allCases.map(\.rawValue) + ["x"])) }
        if random.oneIn(4) { fields["timeout"] = duration(&random) }
        if random.oneIn(4) {
            fields["max_attempts"] = .int(random.oneIn(4) ? random.edgyInt64() : Int64(random.within(1...100)))
        }
        if random.oneIn(4) {
            fields["idempotency_key"] = .string(
                random.oneIn(4)
                    ? random.text(maxLength: 300)
                    : "key-\(random.below(100))")
        }
        if random.oneIn(6) { fields["webhook_format"] = .string(random.pick(["tock", "scheduled-db", "x"])) }
        if random.oneIn(20) { fields[random.text(maxLength: 6)] = .null }
        return fields
    }

    func testRandomBodiesBecomeJobsOrClearErrors() {
        fuzzBodies("json", examples: 4000) { nowNs, random in
            Self.body(nowNs: nowNs, &random)
        } submit: { body, nowNs in
            (try? JobRequest.parse(json: body, nowNs: nowNs)) != nil
        }
    }

    /// Found by the fuzzing: `now + delay` trapped.
    func testRegressionADelayPastTheEndOfTime() {
        let body = #"{"url": "http://x.test/h", "delay": "100000d"}"#
        XCTAssertThrowsError(try JobRequest.parse(json: Array(body.utf8), nowNs: 1_733_450_000_000_000_000))
    }

    /// A protobuf submit carries any numbers at all.
    func testRandomProtobufSpecsAreValidatedOrRefused() {
        var accepted = 0
        let examples = 4000
        fuzz("protobuf", examples: examples) { random -> (spec: JobSpec, nowNs: Int64) in
            // Any numbers at all, with the strings mostly valid so that the numbers get looked at.
            let nowNs = RequestBodies.now(&random)
            var spec = WireGenerators.jobSpec(&random)
            if !random.oneIn(8) { spec.target.url = "https://x.test/h" }
            if !random.oneIn(8) { spec.target.method = "POST" }
            if !random.oneIn(8) { spec.target.headers = [Header(name: "X-A", value: "1")] }
            if !random.oneIn(8) { spec.idempotencyKey = "" }
            if !random.oneIn(8) { spec.callbackURL = random.pick(["", "https://cb.test/done"]) }
            if !random.oneIn(8) { spec.failureCallbackURL = random.pick(["", "http://cb.test/failed"]) }
            if random.oneIn(2) { spec.timeoutMs = UInt32(random.below(900_001)) }
            if random.oneIn(2) { spec.maxAttempts = UInt32(random.below(101)) }
            if random.oneIn(2) { spec.dueAtNs = nowNs.saturatingAdding(random.edgyInt64() >> random.within(0...63)) }
            if var schedule = spec.schedule, !random.oneIn(8) {
                schedule.cron = random.pick(CronFuzzTests.expressions)
                schedule.timeZone = random.pick(CronFuzzTests.zones + [""])
                if random.oneIn(2) { schedule.startAtNs = nowNs.saturatingAdding(random.edgyInt64() >> 20) }
                spec.schedule = schedule
            }
            return (spec, nowNs)
        } property: { spec, nowNs in
            if (try? JobRequest.validate(spec, nowNs: nowNs)) != nil { accepted += 1 }
        }
        if Fuzz.replaySeed == nil { XCTAssertGreaterThan(accepted, examples * Fuzz.multiplier / 20) }
    }
}
