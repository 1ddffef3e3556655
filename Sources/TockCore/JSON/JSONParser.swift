/// Parses JSON text (RFC 8259) straight from bytes into a `JSONValue`. Submits are parsed on every request, and
/// going through `JSONDecoder` (a generic `Decodable` walk with a `try?` per alternative) cost a shard about 15 %
/// of its CPU. Numbers follow `JSONDecoder`'s reading as `JSONValue` did: an integral value within `Int64` is
/// `.int`, anything else `.double`; of a repeated key the first value counts.
struct JSONParser: ~Copyable {
    struct Invalid: Error {}

    /// How many arrays and objects may nest: deep enough for any real request, shallow enough that the recursion
    /// cannot exhaust the stack. A document nested deeper is refused, like any invalid one.
    static let maxDepth = 128

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(Invalid) -> JSONValue {
        var parser = JSONParser(bytes)
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw Invalid() }
        return value
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func expect(_ byte: UInt8) throws(Invalid) {
        guard current == byte else { throw Invalid() }
        index += 1
    }

    private mutating func literal(_ text: StaticString) throws(Invalid) {
        let count = text.utf8CodeUnitCount
        guard bytes.count - index >= count else { throw Invalid() }
        for offset in 0..<count where bytes[index + offset] != text.utf8Start[offset] { throw Invalid() }
        index += count
    }

    /// `depth`: how many arrays and objects enclose the value.
    private mutating func value(depth: Int) throws(Invalid) -> JSONValue {
        skipWhitespace()
        // 0 never starts a value: the end of the text falls to `default`.
        switch current ?? 0 {
        case UInt8(ascii: "{"):
            guard depth < Self.maxDepth else { throw Invalid() }
            return .object(try object(depth: depth))
        case UInt8(ascii: "["):
            guard depth < Self.maxDepth else { throw Invalid() }
            return .array(try array(depth: depth))
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw Invalid()
        }
    }

    private mutating func object(depth: Int) throws(Invalid) -> [String: JSONValue] {
        index += 1
        var fields: [String: JSONValue] = [:]
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            index += 1
            return fields
        }
        while true {
            skipWhitespace()
            let key = try string()
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            let item = try value(depth: depth + 1)
            if fields[key] == nil { fields[key] = item }
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                return fields
            default: throw Invalid()
            }
        }
    }

    private mutating func array(depth: Int) throws(Invalid) -> [JSONValue] {
        index += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            index += 1
            return items
        }
        while true {
            items.append(try value(depth: depth + 1))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                return items
            default: throw Invalid()
            }
        }
    }

    private mutating func string() throws(Invalid) -> String {
        try expect(UInt8(ascii: "\""))
        let start = index
        // The common case: no escapes, copied in one go once the closing quote is found.
        while let byte = current, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") {
            guard byte >= 0x20 else { throw Invalid() }
            index += 1
        }
        guard let stop = current else { throw Invalid() }
        var utf8 = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
        if stop == UInt8(ascii: "\\") {
            try unescape(into: &utf8)
        }
        index += 1
        guard let text = String(validating: utf8, as: UTF8.self) else { throw Invalid() }
        return text
    }

    /// From a backslash to the closing quote (left as `current`), appending the decoded bytes.
    private mutating func unescape(into utf8: inout [UInt8]) throws(Invalid) {
        while let byte = current, byte != UInt8(ascii: "\"") {
            index += 1
            guard byte == UInt8(ascii: "\\") else {
                guard byte >= 0x20 else { throw Invalid() }
                utf8.append(byte)
                continue
            }
            guard let escaped = current else { throw Invalid() }
            index += 1
            switch escaped {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escaped)
            case UInt8(ascii: "b"): utf8.append(0x08)
            case UInt8(ascii: "f"): utf8.append(0x0C)
            case UInt8(ascii: "n"): utf8.append(0x0A)
            case UInt8(ascii: "r"): utf8.append(0x0D)
            case UInt8(ascii: "t"): utf8.append(0x09)
            case UInt8(ascii: "u"): utf8.append(contentsOf: try unicodeEscape())
            default: throw Invalid()
            }
        }
        guard current != nil else { throw Invalid() }
    }

    /// After `\u`: one code point, from a surrogate pair when it is one, as UTF-8.
    private mutating func unicodeEscape() throws(Invalid) -> String.UTF8View {
        let first = try hex4()
        var scalar: Unicode.Scalar?
        switch first {
        case 0xD800...0xDBFF:
            guard current == UInt8(ascii: "\\") else { throw Invalid() }
            index += 1
            try expect(UInt8(ascii: "u"))
            let second = try hex4()
            guard (0xDC00...0xDFFF).contains(second) else { throw Invalid() }
            scalar = Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
        case 0xDC00...0xDFFF:
            throw Invalid()
        default:
            scalar = Unicode.Scalar(first)
        }
        guard let scalar else { throw Invalid() }
        return String(Character(scalar)).utf8
    }

    private mutating func hex4() throws(Invalid) -> UInt32 {
        guard bytes.count - index >= 4 else { throw Invalid() }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw Invalid()
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    private mutating func number() throws(Invalid) -> JSONValue {
        let start = index
        var integral = true
        if current == UInt8(ascii: "-") { index += 1 }
        // No leading zeros: "0" alone, or a nonzero digit then any digits.
        switch current ?? 0 {
        case UInt8(ascii: "0"): index += 1
        case UInt8(ascii: "1")...UInt8(ascii: "9"): skipDigits()
        default: throw Invalid()
        }
        if current == UInt8(ascii: ".") {
            integral = false
            index += 1
            guard skipDigits() > 0 else { throw Invalid() }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            integral = false
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard skipDigits() > 0 else { throw Invalid() }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        if integral, let int = Int64(text) { return .int(int) }
        guard let double = Double(text), double.isFinite else { throw Invalid() }
        if double == double.rounded(.towardZero), let exact = Int64(exactly: double) { return .int(exact) }
        return .double(double)
    }

    @discardableResult
    private mutating func skipDigits() -> Int {
        let start = index
        while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { index += 1 }
        return index - start
    }
}
