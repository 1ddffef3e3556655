import TockRaft

/// The draws fuzz generators make, all from one seeded source so an example replays from its seed.
extension SplitMix64 {
    /// 0..<n (n > 0).
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    /// lower...upper.
    mutating func within(_ range: ClosedRange<Int>) -> Int { range.lowerBound + below(range.count) }

    mutating func oneIn(_ n: Int) -> Bool { below(n) == 0 }

    mutating func pick<T>(_ choices: [T]) -> T { choices[below(choices.count)] }

    mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) } }

    /// Mostly the values where integer code breaks (limits, zero, ±1, powers of two and their neighbours), else
    /// anything.
    mutating func edgy() -> UInt64 {
        switch below(4) {
        case 0: return next()
        case 1:
            return pick([
                0, 1, 2, .max, .max - 1, UInt64(Int64.max), UInt64(Int64.max) + 1,
                UInt64(UInt32.max), UInt64(UInt32.max) + 1, UInt64(Int32.max), UInt64(Int32.max) + 1,
            ])
        case 2:
            let power = UInt64(1) << UInt64(below(64))
            return pick([power, power &- 1, power &+ 1, 0 &- power])
        default: return next() >> UInt64(below(64))
        }
    }

    mutating func edgyInt64() -> Int64 { Int64(bitPattern: edgy()) }

    mutating func edgyUInt32() -> UInt32 { UInt32(truncatingIfNeeded: edgy()) }

    mutating func edgyInt32() -> Int32 { Int32(truncatingIfNeeded: edgy()) }

    /// Text from pieces that trouble parsers and C strings: ASCII, controls and NUL, 2-, 3- and 4-byte UTF-8,
    /// combining marks, joiners, a byte-order mark, noncharacters, line and paragraph separators.
    mutating func text(maxLength: Int) -> String {
        let length = below(maxLength + 1)
        var scalars = String.UnicodeScalarView()
        for _ in 0..<length {
            let value: UInt32 =
                switch below(10) {
                case 0..<5: UInt32(within(0x20...0x7E))
                case 5: pick([0x00, 0x01, 0x09, 0x0A, 0x0D, 0x1F, 0x7F])
                case 6: UInt32(within(0x80...0x7FF))
                case 7: pick([0x4E2D, 0x0301, 0x200D, 0xFEFF, 0xFFFF, 0xFFFD, 0x2028, 0x2029, 0xD7FF, 0xE000])
                case 8: UInt32(within(0x10000...0x10FFFF))
                default: UInt32(within(0x800...0xD7FF))
                }
            scalars.append(Unicode.Scalar(value) ?? "?")
        }
        return String(scalars)
    }

    /// `text` without U+0000, which protobuf-c's C strings cannot carry.
    mutating func cText(maxLength: Int) -> String {
        String(String.UnicodeScalarView(text(maxLength: maxLength).unicodeScalars.filter { $0 != "\0" }))
    }
}
