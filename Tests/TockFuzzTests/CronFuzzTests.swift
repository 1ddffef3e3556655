import Foundation
import TockRaft
import XCTest

@testable import TockCore

/// Cron expressions from clients, then `next(after:)` from any instant: parsing throws a `FieldError` or gives an
/// expression, and the next fire time is nil or a time after the instant, within the schedule's bounds, on a whole
/// second (calendar) or a whole number of intervals from the start (`@every`), from which the search finds itself
/// again. Instants include `Int64`'s ends and daylight-saving changes in zones with odd rules.
final class CronFuzzTests: XCTestCase {
    static let expressions = [
        "*/15 * * * *", "0 9 * * MON-FRI", "30 2 * * *", "0 0 29 2 *", "0 0 31 2 *", "5/10 1-23/2 ? JAN-DEC SUN-SAT",
        "0 0 1 * MON", "*/7 */5 */3 */2 */4 */3", "0 30 1 * * *", "59 23 31 12 6", "0 0 * * 7", "0 0,12 1,15 * FRI-SUN",
        "@daily", "@hourly", "@yearly", "@weekly", "@every 90s", "@every 1h30m", "@every 1s", "@every 36524d",
        "@every 500ms", "0-59/59 0-23/23 1-31/30 1-12/11 0-7/7",
    ]

    static let tokens: [[UInt8]] = [
        "*", "?", "/", "-", ",", " ", "\t", "\n", "@every ", "@", "0", "59", "60", "99999", "-1", "JAN", "sun", "7",
        "8",
        "1-", "/0", "/61", "/1", "L", "#", "W", "4294967296", "9223372036854775808", "9223372036854775807ns", "1e9",
        ".5s", "µs", "٣", "½", "100000d", "0.000000001s", "1s1s1s1s", "@every 0s",
    ].map { Array($0.utf8) }

    static let zones = [
        "UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Pacific/Chatham",
        "Asia/Kathmandu", "America/St_Johns", "Pacific/Apia", "Africa/Casablanca", "Antarctica/Troll",
    ]

    /// Around daylight-saving changes (Berlin, New York, Lord Howe's half hour) and the day Samoa skipped
    /// (2011-12-30), besides the ends of time.
    static let interestingSeconds: [Int64] = [
        1_711_846_800, 1_729_990_800, 1_710_054_000, 1_730_613_600, 1_712_415_600, 1_325_239_200, 1_325_152_800, 0,
        -1, 9_223_372_036, -9_223_372_036,
    ]

    static func instant(_ random: inout SplitMix64) -> Int64 {
        switch random.below(4) {
        case 0: return random.edgyInt64()
        case 1: return random.pick([.min, .min + 1, .max, .max - 1, 0, -1])
        default:
            let second = random.pick(interestingSeconds) + Int64(random.within(-7200...7200))
            return second.saturatingMultiplied(by: 1_000_000_000).saturatingAdding(Int64(random.below(3)) - 1)
        }
    }

    struct Case: CustomStringConvertible {
        var expression: String
        var zone: String
        var startNs: Int64?
        var endNs: Int64?
        var afterNs: [Int64]

        var description: String {
            "\(expression.debugDescription) in \(zone), start \(startNs.map(String.init) ?? "none"), "
                + "end \(endNs.map(String.init) ?? "none"), after \(afterNs)"
        }
    }

    func testMutatedExpressionsParseOrFailClearly() {
        let mutator = FuzzMutator(tokens: Self.tokens)
        fuzz("parse", examples: 8000) { random in
            mutator.mutate(anyOf: Self.expressions, using: &random)
        } property: { text in
            guard let expression = try? CronExpression.parse(text) else { return }
            guard expression.description == text else { throw Fuzz.Failure("kept \(expression.description)") }
            if let ns = expression.intervalNs, ns < 1_000_000_000 { throw Fuzz.Failure("an interval of \(ns) ns") }
        }
    }

    func testNextFireTimesAreAfterTheInstantWithinTheBounds() {
        let mutator = FuzzMutator(tokens: Self.tokens)
        var fires = 0
        let examples = 10_000
        fuzz("next", examples: examples) { random in
            let text =
                random.oneIn(2)
                ? random.pick(Self.expressions)
                : mutator.mutate(anyOf: Self.expressions, using: &random)
            let start = random.oneIn(2) ? nil : Self.instant(&random)
            let end = random.oneIn(2) ? nil : Self.instant(&random)
            return Case(
                expression: text, zone: random.pick(Self.zones), startNs: start, endNs: end,
                afterNs: (0..<3).map { _ in Self.instant(&random) })
        } property: { example in
            guard let expression = try? CronExpression.parse(example.expression) else { return }
            let schedule = CronSchedule(
                expression: expression, timeZone: TimeZone(identifier: example.zone)!,
                startNs: example.startNs, endNs: example.endNs)
            for after in example.afterNs where try Self.checkNext(schedule, after: after) {
                fires += 1
            }
            // The client's path: bounds checked, and the schedule must fire at least once.
            _ = try? CronSchedule.parse(
                expression: example.expression, timeZone: example.zone,
                startNs: example.startNs, endNs: example.endNs)
        }
        // Enough searches must find a time for the checks on it to mean something.
        if Fuzz.replaySeed == nil { XCTAssertGreaterThan(fires, examples * Fuzz.multiplier / 2, "too few fire times") }
    }

    /// Whether the schedule fires after `after`; throws if the time it names is wrong.
    static func checkNext(_ schedule: CronSchedule, after: Int64) throws -> Bool {
        guard let fire = schedule.next(after: after) else { return false }
        guard fire > after, fire >= schedule.startNs ?? .min, fire <= schedule.endNs ?? .max else {
            throw Fuzz.Failure("after \(after): \(fire) is outside (after, start, end)")
        }
        if let interval = schedule.expression.intervalNs {
            let (offset, overflow) = fire.subtractingReportingOverflow(schedule.startNs ?? 0)
            guard !overflow, offset % interval == 0 else {
                throw Fuzz.Failure("after \(after): \(fire) is not a whole number of intervals from the start")
            }
        } else if fire % 1_000_000_000 != 0 {
            throw Fuzz.Failure("after \(after): \(fire) is not on a whole second")
        }
        // Nothing fires between `after` and `fire`, so searching from just before `fire` finds it again.
        guard schedule.next(after: fire - 1) == fire else {
            let again = schedule.next(after: fire - 1).map(String.init) ?? "none"
            throw Fuzz.Failure("after \(after): \(fire), but after \(fire - 1): \(again)")
        }
        return true
    }
}
