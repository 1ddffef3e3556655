import TockCore
import TockRaft

/// Random JSON documents, written with the variety a client might use (any whitespace, escapes for any
/// character, surrogate pairs, exponents), together with the value `JSONParser` must read from them.
enum JSONGenerator {
    /// A random value at most `depth` containers deep; object keys within one object are distinct.
    static func value(depth: Int, using random: inout SplitMix64) -> JSONValue {
        switch random.below(depth > 0 ? 8 : 5) {
        case 0: return .null
        case 1: return .bool(random.oneIn(2))
        case 2: return .int(random.oneIn(2) ? random.edgyInt64() : Int64(random.within(-1000...1000)))
        case 3: return number(using: &random)
        case 4: return .string(random.text(maxLength: 12))
        case 5: return .array((0..<random.below(5)).map { _ in value(depth: depth - 1, using: &random) })
        default:
            var fields: [String: JSONValue] = [:]
            for _ in 0..<random.below(5) {
                fields[random.oneIn(3) ? random.text(maxLength: 6) : random.pick(["url", "delay", "a", "", "é"])] =
                    value(depth: depth - 1, using: &random)
            }
            return .object(fields)
        }
    }

    /// A double as the parser keeps it: integral values within `Int64` are `.int`.
    static func number(using random: inout SplitMix64) -> JSONValue {
        let double =
            switch random.below(4) {
            case 0: Double(bitPattern: random.next())
            case 1: Double(random.edgyInt64()) / Double(random.within(1...1000))
            case 2:
                random.pick([
                    0.1, 1e300, 1e-300, .leastNonzeroMagnitude, .greatestFiniteMagnitude,
                    9.2233720368547758e18, -9.2233720368547758e18, 2.2250738585072014e-308, 0.5, -0.0,
                ])
            default: Double(random.within(-100_000...100_000)) / 64
            }
        guard double.isFinite else { return .double(1.5) }
        if double == double.rounded(.towardZero), let exact = Int64(exactly: double) { return .int(exact) }
        return .double(double)
    }

    /// `value` as JSON text, with random whitespace and escapes.
    static func text(of value: JSONValue, using random: inout SplitMix64) -> String {
        var out = ""
        write(value, to: &out, using: &random)
        return space(&random) + out + space(&random)
    }

    private static func space(_ random: inout SplitMix64) -> String {
        random.oneIn(3) ? String((0..<random.below(3)).map { _ in random.pick([" ", "\t", "\n", "\r"]) }) : ""
    }

    private static func write(_ value: JSONValue, to out: inout String, using random: inout SplitMix64) {
        switch value {
        case .null: out += "null"
        case .bool(let flag): out += flag ? "true" : "false"
        case .int(let int):
            // Other spellings of an integer read as one only while a Double holds it exactly.
            let exact = int.magnitude < 1 << 53
            out += exact && random.oneIn(4) ? "\(int).0" : exact && random.oneIn(8) ? "\(int)e0" : "\(int)"
        case .double(let double): out += random.oneIn(2) ? "\(double)" : "\(double)".uppercased()
        case .string(let text): string(text, to: &out, using: &random)
        case .array(let items):
            out += "[" + space(&random)
            for (index, item) in items.enumerated() {
                if index > 0 { out += space(&random) + "," + space(&random) }
                write(item, to: &out, using: &random)
            }
            out += space(&random) + "]"
        case .object(let fields):
            out += "{" + space(&random)
            for (index, (key, item)) in fields.enumerated() {
                if index > 0 { out += space(&random) + "," + space(&random) }
                string(key, to: &out, using: &random)
                out += space(&random) + ":" + space(&random)
                write(item, to: &out, using: &random)
            }
            out += space(&random) + "}"
        }
    }

    /// Control characters, quotes and backslashes must be escaped; anything else may be.
    static func string(_ text: String, to out: inout String, using random: inout SplitMix64) {
        out += "\""
        for scalar in text.unicodeScalars {
            let short: String? =
                switch scalar {
                case "\"": "\\\""
                case "\\": "\\\\"
                case "\n": "\\n"
                case "\r": "\\r"
                case "\t": "\\t"
                case "\u{08}": "\\b"
                case "\u{0C}": "\\f"
                case "/": random.oneIn(2) ? "\\/" : nil
                default: nil
                }
            if let short {
                out += short
            } else if scalar.value < 0x20 || random.oneIn(6) {
                for unit in String(scalar).utf16 {
                    let hex = String(unit, radix: 16, uppercase: random.oneIn(2))
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                }
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
