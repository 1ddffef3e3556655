/// The values one cron field allows, as a bit set: every field's values fit in 0…59.
struct CronFieldValues: Equatable, Sendable {
    private(set) var bits: UInt64 = 0

    init() {}

    init(_ values: some Sequence<Int>) {
        for value in values { insert(value) }
    }

    mutating func insert(_ value: Int) {
        precondition((0..<64).contains(value), "cron field values are 0…59")
        bits |= 1 << UInt64(value)
    }

    mutating func formUnion(_ other: CronFieldValues) { bits |= other.bits }

    func contains(_ value: Int) -> Bool {
        (0..<64).contains(value) && bits & (1 << UInt64(value)) != 0
    }

    /// The smallest allowed value that is at least `value`, found without walking the values one by one.
    func first(atOrAfter value: Int) -> Int? {
        guard value < 64 else { return nil }
        let remaining = value <= 0 ? bits : bits & (UInt64.max << UInt64(value))
        return remaining == 0 ? nil : remaining.trailingZeroBitCount
    }

    var isEmpty: Bool { bits == 0 }
}
