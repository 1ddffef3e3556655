import Foundation
import TockRaft
import XCTest

@testable import TockCore

/// `JSONParser` (every JSON body Tock reads) against Foundation's `JSONSerialization`: both accept and refuse the
/// same documents and read the same values, apart from these differences, each intended:
/// - nesting: Tock refuses more than `JSONParser.maxDepth` (128) levels, Foundation more than 512;
/// - a repeated key: Tock keeps the first value, Foundation the last;
/// - trailing commas (`[1,]`, `{"a": 1,}`): Foundation accepts them, Tock does not (RFC 8259 has none);
/// - encodings: Foundation also reads UTF-16 and UTF-32 and skips a byte-order mark; Tock reads UTF-8 only, as
///   RFC 8259 requires between systems;
/// - U+FEFF in a string: Foundation drops it where it starts the string or follows an escape (taking it for a
///   byte-order mark), Tock keeps every one;
/// - numbers: Tock reads any number that is not an integer within `Int64` as the nearest `Double` (so
///   "-9223372036854775809" reads as `Int64.min`, and "9007199254740993.0" as 9007199254740992); Foundation keeps
///   some such numbers as a 38-digit `Decimal`. They agree within 1e-12, and both refuse numbers beyond `Double`.
final class JSONParserFuzzTests: XCTestCase {
    /// Documents as clients send them: the job JSON of Schemas/API.md and of the tests.
    static let realDocuments = [
        #"{"url": "http://127.0.0.1:7090/x", "body": {"order": 42}, "delay": "10s"}"#,
        #"{"url": "http://127.0.0.1:7090/hello", "body": "hi", "delay": "5s", "max_attempts": 3}"#,
        #"{"jobs": [{"url": "https://a.example/x"}, {"url": "ftp://nope"}]}"#,
        #"{"url": "https://example.com/hook", "method": "PUT", "headers": {"X-A": "1", "Authorization": "Bearer t"},"#
            + #" "run_at": "2026-11-23T10:00:00.250Z", "priority": "critical", "timeout": "1m30s","#
            + #" "idempotency_key": "order-42", "webhook_format": "tock"}"#,
        #"{"url": "http://h/p", "schedule": {"cron": "*/15 * * * *", "time_zone": "Europe/Berlin","#
            + #" "start": "2026-01-01T00:00:00Z", "end": "2027-01-01T00:00:00+01:00", "overlap": "skip","#
            + #" "misfire": "run_once"}}"#,
        #"{"type": "recurrente", "cron_expression": "0 9 * * 1-5", "timestamp": "2024-12-25T10:00:00Z","#
            + #" "last_date": 1767225600, "webhook_url": "https://x.test/h", "payload": {"a": [1, 2.5, -3e2, null,"#
            + #" true, false, "\u00e9\ud83d\ude00\n\"\\\/"]}, "id": "client-1"}"#,
        #"{"data":{"order":42},"job_id":"0-01M83VB0PYJMTQ8CWMCAXSQF5W","timestamp":1767225600,"type":"unico"}"#,
        #"[0, -0, 0.5, -1.25e-3, 1E+2, 9223372036854775807, -9223372036854775808, 18446744073709551616]"#,
    ]

    /// JSON's punctuation and the spellings that trip parsers, spliced in by the mutator.
    static let tokens: [[UInt8]] =
        [
            "{", "}", "[", "]", ",", ":", "\"", "\\", "\\u", "\\ud800", "\\udc00", "\\ud83d\\ude00", "\\u0000", "\\x",
            "null", "true", "false", "-", "-0", "0", "01", "1e400", "-1e400", "1e-400", "1.", ".5", "e", "E+",
            "1e99999",
            "123456789012345678901234567890", "9223372036854775808", "-9223372036854775809", "\"url\"", "\"a\":1,",
            "[[[[[[[[", "]]]]]]]]", " ", "\t", "\n", "\r", "\u{0B}", "\u{0C}", "\u{A0}", "\u{FEFF}",
        ].map { Array($0.utf8) } + [
            [0x00], [0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80],
            [0xE4, 0xB8], [0xEF, 0xBB, 0xBF], [0x7F], [0x1F],
        ]

    func testRandomDocumentsReadAsWrittenAndAsFoundationReadsThem() {
        fuzz("random", examples: 1500) { random -> (value: JSONValue, text: String) in
            let value = JSONGenerator.value(depth: 4, using: &random)
            return (value, JSONGenerator.text(of: value, using: &random))
        } property: { value, text in
            let bytes = Array(text.utf8)
            guard let parsed = JSONValue(parsing: bytes) else { throw Fuzz.Failure("refused a valid document") }
            guard parsed == value else { throw Fuzz.Failure("read \(parsed)") }
            try Self.agreeWithFoundation(bytes)
        }
    }

    func testMutatedDocumentsAgreeWithFoundation() {
        var seedRandom = SplitMix64(seed: 16)
        let generated = (0..<20).map { _ in
            JSONGenerator.text(of: JSONGenerator.value(depth: 3, using: &seedRandom), using: &seedRandom)
        }
        let corpus = (Self.realDocuments + generated).map { Array($0.utf8) }
        let mutator = FuzzMutator(tokens: Self.tokens)
        fuzz("mutated", examples: 40_000) { random in
            mutator.mutate(anyOf: corpus, maxRounds: 6, using: &random)
        } describe: {
            Self.show($0)
        } property: { bytes in
            try Self.agreeWithFoundation(bytes)
        }
    }

    /// Thousands of `[` or `{"a":` must be refused with an error, not a stack overflow.
    func testDeepNestingIsRefusedPastTheLimit() {
        fuzz("nesting", examples: 200) { random -> (depth: Int, text: [UInt8], balanced: Bool) in
            let depth =
                random.oneIn(2)
                ? random.pick([1, 127, 128, 129, 511, 512, 513])
                : random.oneIn(10) ? random.within(10_000...50_000) : random.within(1...2_000)
            let objects = random.oneIn(3)
            let balanced = !random.oneIn(4)
            // Each level is an array or an object; mostly one kind, now and then the other.
            let levels = (0..<depth).map { _ in objects != random.oneIn(8) }
            var text = [UInt8]()
            text.reserveCapacity(depth * 6 + 1)
            for object in levels { text += object ? #"{"a":"#.utf8 : "[".utf8 }
            text.append(UInt8(ascii: "1"))
            if balanced {
                for object in levels.reversed() { text.append(object ? UInt8(ascii: "}") : UInt8(ascii: "]")) }
            }
            return (depth, text, balanced)
        } describe: {
            "depth \($0.depth), balanced \($0.balanced): \(Self.show(Array($0.text.prefix(200))))"
        } property: { depth, text, balanced in
            let parsed = JSONValue(parsing: text)
            let expected = balanced && depth <= JSONParser.maxDepth
            guard (parsed != nil) == expected else {
                throw Fuzz.Failure(expected ? "refused a document within the limit" : "accepted \(depth) levels")
            }
            try Self.agreeWithFoundation(text)
        }
    }

    func testNumbersAtTheEdgesAgreeWithFoundation() {
        fuzz("numbers", examples: 3000) { random -> String in
            func digits(_ count: Int) -> String {
                String((0..<count).map { _ in Character(String(random.below(10))) })
            }
            var text = random.pick(["", "", "-", "+", "--"])
            text += random.pick([
                "0", "00", "1", "9", digits(random.within(1...25)),
                "1" + digits(random.within(0...400)), "9223372036854775807", "9223372036854775808",
                "18446744073709551615", "4503599627370497", "",
            ])
            if random.oneIn(2) {
                text += random.pick([
                    ".", "." + digits(random.within(1...30)), "." + digits(random.within(1...800)),
                    ".5", ".0", ".00000000000000000000001",
                ])
            }
            if random.oneIn(2) {
                text +=
                    random.pick(["e", "E", "e+", "e-", "E-"])
                    + random.pick([
                        "", "0", "1", "308", "309", "324", "325", "400", "-400", String(random.within(0...400)),
                        "99999", "9223372036854775808", digits(random.within(1...3)),
                    ])
            }
            return random.oneIn(3) ? "[\(text)]" : random.oneIn(2) ? " \(text) " : text
        } property: { text in
            try Self.agreeWithFoundation(Array(text.utf8))
        }
    }

    func testStringsWithEscapesSurrogatesAndBadUTF8AgreeWithFoundation() {
        fuzz("strings", examples: 3000) { random -> [UInt8] in
            var body = [UInt8]()
            for _ in 0..<random.within(0...12) {
                switch random.below(8) {
                case 0: body += Array(random.text(maxLength: 4).utf8)
                case 1: body += Array(random.pick(["\\n", "\\t", "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\r"]).utf8)
                case 2:
                    let unit = random.oneIn(2) ? random.within(0xD800...0xDFFF) : random.within(0...0xFFFF)
                    let hex = String(unit, radix: 16, uppercase: random.oneIn(2))
                    body += Array(("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
                case 3:
                    let high = random.within(0xD800...0xDBFF)
                    let low = random.oneIn(4) ? random.within(0...0xFFFF) : random.within(0xDC00...0xDFFF)
                    body += Array("\\u\(String(high, radix: 16))\\u\(String(low, radix: 16))".utf8)
                case 4:
                    body += random.pick([
                        [0xFF], [0xC0, 0x80], [0xC1, 0xBF], [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF],
                        [0xF4, 0x90, 0x80, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xE4, 0xB8],
                        [0x80], [0xF0, 0x9F, 0x98], [0xEF, 0xBF, 0xBF], [0xF0, 0x80, 0x80, 0x80],
                    ])
                case 5: body.append(UInt8(random.within(0x00...0x1F)))
                case 6:
                    body += Array(
                        random.pick([
                            "\\", "\\x", "\\u12", "\\u", "\\U0041", "\\u00e9", "\\u0000",
                            "\\uD83D\\uDE00", "\\uDE00\\uD83D", "\u{7F}", "\"",
                        ]).utf8)
                default: body += Array("plain".utf8)
                }
            }
            let string = [UInt8(ascii: "\"")] + body + [UInt8(ascii: "\"")]
            return random.oneIn(3) ? Array("{".utf8) + string + Array(": 1}".utf8) : string
        } describe: {
            Self.show($0)
        } property: { bytes in
            try Self.agreeWithFoundation(bytes)
        }
    }

    /// The differences the fuzz targets allow, pinned down: if Foundation or the parser changes, this says so.
    func testTheIntendedDifferencesFromFoundation() throws {
        let repeated = Array(#"{"a": 1, "a": 2}"#.utf8)
        XCTAssertEqual(JSONValue(parsing: repeated), .object(["a": .int(1)]))
        XCTAssertEqual((FoundationJSON.parse(repeated) as? [String: Any])?["a"] as? Int, 2)

        let nested = { (depth: Int) in
            Array((String(repeating: "[", count: depth) + "1" + String(repeating: "]", count: depth)).utf8)
        }
        XCTAssertNotNil(JSONValue(parsing: nested(JSONParser.maxDepth)))
        XCTAssertNil(JSONValue(parsing: nested(JSONParser.maxDepth + 1)))
        XCTAssertNotNil(FoundationJSON.parse(nested(512)))
        XCTAssertNil(FoundationJSON.parse(nested(513)))

        let marks = Array("\"\u{FEFF}a\u{FEFF}\\n\u{FEFF}\"".utf8)
        XCTAssertEqual(JSONValue(parsing: marks), .string("\u{FEFF}a\u{FEFF}\n\u{FEFF}"))
        XCTAssertEqual(FoundationJSON.parse(marks) as? String, "a\u{FEFF}\n")

        for trailing in [#"[1,]"#, #"{"a": 1,}"#] {
            XCTAssertNil(JSONValue(parsing: Array(trailing.utf8)), trailing)
            XCTAssertNotNil(FoundationJSON.parse(Array(trailing.utf8)), trailing)
        }
        let marked: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("[1]".utf8)
        XCTAssertNil(JSONValue(parsing: marked))
        XCTAssertNotNil(FoundationJSON.parse(marked))
        let utf16: [UInt8] = [0x00, 0x5B, 0x00, 0x31, 0x00, 0x5D]
        XCTAssertNil(JSONValue(parsing: utf16))
        XCTAssertNotNil(FoundationJSON.parse(utf16))
    }

    /// Both refuse, or both accept and read the same value, unless one of the intended differences explains it.
    static func agreeWithFoundation(_ bytes: [UInt8]) throws {
        let ours = JSONValue(parsing: bytes)
        let theirs = FoundationJSON.parse(bytes)
        let features = JSONTextFeatures(bytes)
        switch (ours, theirs) {
        case (nil, nil):
            return
        case (let ours?, let theirs?):
            if let difference = FoundationJSON.difference(ours, theirs), !features.duplicateKeys {
                throw Fuzz.Failure("read differently: \(difference)")
            }
        case (nil, let theirs?):
            guard features.depth > JSONParser.maxDepth || features.trailingComma || features.otherEncoding else {
                throw Fuzz.Failure("refused what Foundation reads as \(String(reflecting: theirs))")
            }
        case (let ours?, nil):
            guard features.depth > 512 else {
                throw Fuzz.Failure("accepted, as \(ours), what Foundation refuses")
            }
        }
    }

    /// Bytes as text where they are UTF-8, with the others as \x escapes.
    static func show(_ bytes: [UInt8]) -> String {
        var text = ""
        var rest = bytes[...]
        while !rest.isEmpty {
            var prefix = rest.prefix(4)
            // The longest prefix of up to 4 bytes that is valid UTF-8 makes one character.
            while !prefix.isEmpty, String(validating: prefix, as: UTF8.self) == nil { prefix = prefix.dropLast() }
            if prefix.isEmpty {
                text += "\\x" + String(rest.first!, radix: 16)
                rest = rest.dropFirst()
            } else {
                text += String(validating: prefix, as: UTF8.self)!.debugDescription.dropFirst().dropLast()
                rest = rest.dropFirst(prefix.count)
            }
        }
        return "\"" + text + "\" (\(bytes.count) bytes)"
    }
}
