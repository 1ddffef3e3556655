import TockCore
import TockRaft
import XCTest

/// The time and duration texts clients send: RFC 3339 (`RFC3339`) and durations (`DurationText`). Parsing never
/// traps; every `Int64` formats, and parses back to itself (or to itself cut to the digits written); and a
/// duration formats to text that parses back to it.
final class TimeTextFuzzTests: XCTestCase {
    static let times = [
        "2024-12-25T10:00:00Z", "2024-12-25T10:00:00.123456789+02:00", "1677-09-21T00:12:43.145224192Z",
        "2262-04-11T23:47:16.854775807Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999-23:59",
        "2024-02-29t00:00:00z", "2024-12-25 10:00:00Z", "1970-01-01T00:00:00.0000000000000000001+00:00",
    ]

    static let timeTokens: [[UInt8]] = [
        "-", ":", "T", "Z", "z", ".", "+", "+23:59", "-24:00", "99", "00", "29", "31", "60", "2262", "1677", "0000",
        "9999", "000000000", "999999999", "5", "\u{0660}", " ",
    ].map { Array($0.utf8) }

    func testEveryInstantFormatsAndParsesBack() {
        fuzz("format then parse", examples: 20_000) { random -> (ns: Int64, digits: Int) in
            (
                random.oneIn(8) ? random.pick([.min, .max, .min + 1, .max - 1, 0, -1]) : random.edgyInt64(),
                random.oneIn(2) ? 9 : random.within(0...9)
            )
        } property: { ns, digits in
            let text = RFC3339.format(ns: ns, fractionDigits: digits)
            // Written with `digits` digits, the time is cut down (toward the past) to a multiple of this.
            var unit: Int64 = 1
            for _ in digits..<9 { unit *= 10 }
            let remainder = (ns % unit + unit) % unit
            let (expected, underflow) = ns.subtractingReportingOverflow(remainder)
            let parsed = RFC3339.parseNs(text)
            guard parsed == (underflow ? nil : expected) else {
                throw Fuzz.Failure("formatted as \(text), which parses as \(String(describing: parsed))")
            }
        }
    }

    /// Found by the fuzzing: `RFC3339.format(ns: .min)` wrote a time that did not parse.
    func testRegressionTheFirstSecondOfTimeParses() {
        XCTAssertEqual(RFC3339.parseNs("1677-09-21T00:12:43.145224192Z"), .min)
    }

    func testMutatedTimesParseOrAreRefused() {
        let mutator = FuzzMutator(tokens: Self.timeTokens)
        fuzz("parse", examples: 20_000) { random in
            mutator.mutate(anyOf: Self.times, using: &random)
        } property: { text in
            guard let ns = RFC3339.parseNs(text) else { return }
            let again = RFC3339.parseNs(RFC3339.format(ns: ns, fractionDigits: 9))
            guard again == ns else { throw Fuzz.Failure("read \(ns), whose text reads \(String(describing: again))") }
        }
    }

    static let durations = [
        "500ms", "30s", "1m30s", "2h", "7d", "1.5s", "0", "1h2m3s4ms5us6ns", "36524d", "100µs",
        "0.000000001s", " 5s ",
    ]

    static let durationTokens: [[UInt8]] = [
        "ns", "us", "µs", "ms", "s", "m", "h", "d", ".", "..", "0", "9", "100000", "9223372036854775807",
        "99999999999999999999", "1e9", "-", "+", " ", "\u{0663}", "½", "Ⅻ", "三", "\u{0301}",
    ].map { Array($0.utf8) }

    func testMutatedDurationsParseOrAreRefused() {
        let mutator = FuzzMutator(tokens: Self.durationTokens)
        fuzz("parse", examples: 20_000) { random in
            let text = mutator.mutate(anyOf: Self.durations, using: &random)
            // Many parts, and huge numbers of them, now and then.
            return random.oneIn(50) ? String(repeating: text, count: random.within(2...2000)) : text
        } property: { text in
            guard let ns = DurationText.parseNs(text) else { return }
            guard ns >= 0 else { throw Fuzz.Failure("a negative duration, \(ns)") }
        }
    }

    /// Up to 2^53 ns (104 days): beyond, a duration written in nanoseconds parses through a `Double` and rounds.
    func testDurationsFormatAndParseBack() {
        fuzz("format then parse", examples: 20_000) { random -> Int64 in
            let ns = Int64(truncatingIfNeeded: random.edgy() % (1 << 53 + 1))
            return random.oneIn(2) ? ns : ns - ns % random.pick([1_000, 1_000_000, 1_000_000_000, 60_000_000_000])
        } property: { ns in
            let text = DurationText.format(ns: ns)
            let parsed = DurationText.parseNs(text)
            guard parsed == ns else {
                throw Fuzz.Failure("formatted as \(text), which parses as \(String(describing: parsed))")
            }
        }
    }
}
