import Foundation
import TockCore

/// The reference `JSONParser` is held to: Foundation's `JSONSerialization` (fragments allowed), and how to tell
/// whether the two read a document alike.
enum FoundationJSON {
    /// What `JSONSerialization` reads from `bytes`; nil when it refuses them.
    static func parse(_ bytes: [UInt8]) -> Any? {
        try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
    }

    /// Where `ours` and Foundation's `theirs` differ, as a path and the two readings; nil when they agree.
    /// Numbers agree when equal; Foundation keeps numbers it cannot hold in a Double or Int64 as a Decimal (38
    /// digits), so those agree within 1e-12 relative. Strings agree scalar for scalar (not merely canonically),
    /// apart from U+FEFF: Foundation drops some (an unescaped one that starts a string or follows an escape,
    /// taking it for a byte-order mark), so strings are compared without any.
    static func difference(_ ours: JSONValue, _ theirs: Any, path: String = "$") -> String? {
        let mismatch = "\(path): ours \(ours), Foundation's \(String(reflecting: theirs))"
        switch ours {
        case .null:
            return theirs is NSNull ? nil : mismatch
        case .bool(let flag):
            guard isBool(theirs), let other = theirs as? Bool else { return mismatch }
            return other == flag ? nil : mismatch
        case .int, .double:
            guard !isBool(theirs), let number = theirs as? NSNumber else { return mismatch }
            return sameNumber(ours, number) ? nil : mismatch
        case .string(let text):
            guard let other = theirs as? String else { return mismatch }
            return withoutMarks(text) == withoutMarks(other) ? nil : mismatch
        case .array(let items):
            guard let others = theirs as? [Any], others.count == items.count else { return mismatch }
            for (index, (item, other)) in zip(items, others).enumerated() {
                if let difference = difference(item, other, path: "\(path)[\(index)]") { return difference }
            }
            return nil
        case .object(let fields):
            guard let others = theirs as? [String: Any] else { return mismatch }
            // Keys compared as strings are, apart from U+FEFF.
            let ourFields = Dictionary(fields.map { (withoutMarks($0.key), $0.value) }) { first, _ in first }
            let theirFields = Dictionary(others.map { (withoutMarks($0.key), $0.value) }) { first, _ in first }
            // Keys that differ only in U+FEFF are one key to Foundation, which keeps the last value.
            guard ourFields.count == fields.count else { return nil }
            guard Set(ourFields.keys) == Set(theirFields.keys) else { return mismatch }
            for (key, item) in ourFields {
                let name = String(String.UnicodeScalarView(key)).debugDescription
                if let difference = difference(item, theirFields[key]!, path: "\(path).\(name)") { return difference }
            }
            return nil
        }
    }

    /// Foundation gives a Swift `Bool` inside containers and a boolean `NSNumber` at the top; a number `as? Bool`
    /// would pass too, so the type decides.
    private static func isBool(_ value: Any) -> Bool {
        if type(of: value) == Bool.self { return true }
        guard let number = value as? NSNumber, type(of: value) != Int.self, type(of: value) != Double.self else {
            return false
        }
        return ["c", "B"].contains(String(cString: number.objCType))
    }

    private static func withoutMarks(_ text: String) -> [Unicode.Scalar] {
        text.unicodeScalars.filter { $0 != "\u{FEFF}" }
    }

    private static func sameNumber(_ ours: JSONValue, _ number: NSNumber) -> Bool {
        switch (String(cString: number.objCType), ours) {
        case ("i", .int(let int)), ("l", .int(let int)), ("q", .int(let int)), ("s", .int(let int)):
            return number.int64Value == int
        case ("Q", .double(let double)):
            return Double(number.uint64Value) == double
        case ("d", _):
            let value =
                switch ours {
                case .int(let int): Double(int)
                case .double(let double): double
                default: Double.nan
                }
            guard number is NSDecimalNumber else { return number.doubleValue == value }
            guard let decimal = Double(number.description) else { return false }
            return decimal == value || abs(decimal - value) <= 1e-12 * max(abs(decimal), abs(value))
        default:
            return false
        }
    }
}

/// What a JSON text holds outside its strings, read without parsing it: enough to explain where Foundation and
/// `JSONParser` may rightly differ.
struct JSONTextFeatures {
    /// The deepest nesting of arrays and objects.
    private(set) var depth = 0
    /// A `,` right before a `]` or `}`, which Foundation accepts.
    private(set) var trailingComma = false
    /// An object with a key twice (as Swift compares strings): Foundation keeps the last value, Tock the first.
    private(set) var duplicateKeys = false
    /// A byte-order mark, or a NUL in the first two bytes: Foundation then reads UTF-16 or UTF-32, or skips the
    /// mark; Tock reads UTF-8 only (RFC 8259, section 8.1).
    let otherEncoding: Bool

    init(_ bytes: [UInt8]) {
        let marks: [[UInt8]] = [[0xEF, 0xBB, 0xBF], [0xFE, 0xFF], [0xFF, 0xFE]]
        otherEncoding = marks.contains { bytes.starts(with: $0) } || bytes.prefix(2).contains(0)
        var open: [(isObject: Bool, keys: Set<String>)] = []
        var previous: UInt8 = 0
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                let start = index
                index += 1
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
                }
                let isKey =
                    open.last?.isObject == true
                    && (previous == UInt8(ascii: "{") || previous == UInt8(ascii: ","))
                if isKey, index < bytes.count, case .string(let key)? = JSONValue(parsing: bytes[start...index]),
                    !open[open.count - 1].keys.insert(key).inserted
                {
                    duplicateKeys = true
                }
                previous = byte
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                open.append((byte == UInt8(ascii: "{"), []))
                depth = max(depth, open.count)
                previous = byte
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                if previous == UInt8(ascii: ",") { trailingComma = true }
                _ = open.popLast()
                previous = byte
            case 0x20, 0x09, 0x0A, 0x0D:
                break
            default:
                previous = byte
            }
            index += 1
        }
    }
}
