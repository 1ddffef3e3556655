/// Parses and prints durations as people write them in configs and APIs: "500ms", "30s", "1m30s", "2h", "7d".
public enum DurationText {
    private static let units: [(suffix: String, ns: Int64)] = [
        ("ns", 1), ("us", 1_000), ("µs", 1_000), ("ms", 1_000_000), ("s", 1_000_000_000),
        ("m", 60_000_000_000), ("h", 3_600_000_000_000), ("d", 86_400_000_000_000),
    ]

    /// Nanoseconds, or nil when `text` is not a sequence of `<number><unit>` parts.
    /// A bare "0" is accepted; fractions such as "1.5s" are.
    public static func parseNs(_ text: String) -> Int64? {
        let s = Array(text.trimmingCharacters(in: " "))
        if s == ["0"] { return 0 }
        guard !s.isEmpty else { return nil }
        var total: Double = 0
        var i = 0
        while i < s.count {
            let start = i
            while i < s.count, s[i].isNumber || s[i] == "." { i += 1 }
            guard i > start, let number = Double(String(s[start..<i])) else { return nil }
            let unitStart = i
            while i < s.count, !(s[i].isNumber || s[i] == ".") { i += 1 }
            let unit = String(s[unitStart..<i])
            guard let scale = units.first(where: { $0.suffix == unit })?.ns else { return nil }
            total += number * Double(scale)
            guard total < Double(Int64.max) else { return nil }
        }
        return Int64(total)
    }

    public static func parse(_ text: String) -> Duration? {
        parseNs(text).map { .nanoseconds($0) }
    }

    /// The shortest exact rendering: 30_000_000_000 → "30s", 1_500_000_000 → "1500ms".
    public static func format(ns: Int64) -> String {
        for (suffix, scale) in units.reversed() where suffix != "µs" {
            if ns != 0, ns % scale == 0 { return "\(ns / scale)\(suffix)" }
        }
        return ns == 0 ? "0s" : "\(ns)ns"
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Character) -> Substring {
        var sub = Substring(self)
        while sub.first == set { sub = sub.dropFirst() }
        while sub.last == set { sub = sub.dropLast() }
        return sub
    }
}

extension Duration {
    /// Whole nanoseconds, saturating.
    public var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (ns, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? (seconds < 0 ? .min : .max) : ns &+ attoseconds / 1_000_000_000
    }

    public var milliseconds: Int64 { nanoseconds / 1_000_000 }

    /// Seconds as a floating-point number, for reports.
    public var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
