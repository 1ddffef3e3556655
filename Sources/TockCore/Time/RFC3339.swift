/// RFC 3339 timestamps in the API, converted exactly to and from nanoseconds since the Unix epoch.
/// Hand-written rather than Foundation's ISO 8601 formatter, which goes through `Double` (losing nanoseconds)
/// and accepts impossible dates such as February 30.
public enum RFC3339 {
    /// Accepts `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; `t`, `z` and a space for `T` are allowed, as RFC 3339 says.
    public static func parseNs(_ text: String) -> Int64? {
        var scanner = Scanner(Array(text.utf8))
        guard let year = scanner.digits(4), scanner.expect("-"), let month = scanner.digits(2), scanner.expect("-"),
            let day = scanner.digits(2), scanner.expectAny(["T", "t", " "]),
            let hour = scanner.digits(2), scanner.expect(":"), let minute = scanner.digits(2), scanner.expect(":"),
            let second = scanner.digits(2)
        else { return nil }
        guard (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day), hour < 24, minute < 60,
            second < 60
        else { return nil }
        var fractionNs: Int64 = 0
        if scanner.expect(".") {
            var scale: Int64 = 100_000_000
            var count = 0
            while let digit = scanner.digit() {
                fractionNs += Int64(digit) * scale
                scale /= 10
                count += 1
            }
            guard count > 0 else { return nil }
        }
        var offsetSeconds: Int64 = 0
        if scanner.expectAny(["Z", "z"]) {
        } else if let sign = scanner.sign(), let offsetHour = scanner.digits(2), scanner.expect(":"),
            let offsetMinute = scanner.digits(2), offsetHour < 24, offsetMinute < 60
        {
            offsetSeconds = sign * Int64(offsetHour * 3600 + offsetMinute * 60)
        } else {
            return nil
        }
        guard scanner.atEnd else { return nil }
        let days = daysFromCivil(year: Int64(year), month: Int64(month), day: Int64(day))
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second) - offsetSeconds
        // Years 0000-9999 reach past Int64 nanoseconds (1677-2262): nil, not a trap. A time in the first second
        // of the range (1677-09-21T00:12:43.145224192Z) counts from the next second, whose nanoseconds fit.
        let (whole, borrow) =
            fractionNs > 0 && seconds < 0 ? (seconds + 1, fractionNs - 1_000_000_000) : (seconds, fractionNs)
        let (wholeNs, overflow) = whole.multipliedReportingOverflow(by: 1_000_000_000)
        let (ns, fractionOverflow) = wholeNs.addingReportingOverflow(borrow)
        return overflow || fractionOverflow ? nil : ns
    }

    /// UTC with millisecond precision, e.g. "2026-11-23T10:00:00.250Z".
    public static func format(ns: Int64) -> String { format(ns: ns, fractionDigits: 3) }

    /// UTC with `fractionDigits` (0 to 9) digits of the second, truncated; 0 writes no fraction. Total: every
    /// `Int64` renders (1677-09-21 to 2262-04-11), so a stored time, however it got there, never traps a read.
    public static func format(ns: Int64, fractionDigits: Int) -> String {
        let digits = min(max(fractionDigits, 0), 9)
        var seconds = ns / 1_000_000_000
        var nanosecond = ns % 1_000_000_000
        if nanosecond < 0 {
            seconds -= 1
            nanosecond += 1_000_000_000
        }
        var unit: Int64 = 1
        for _ in digits..<9 { unit *= 10 }
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 {
            days -= 1
            secondOfDay += 86_400
        }
        let (year, month, day) = civilFromDays(days)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let fraction = digits == 0 ? "" : "." + pad(nanosecond / unit, digits)
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):"
            + "\(pad(secondOfDay % 3600 / 60, 2)):\(pad(secondOfDay % 60, 2))\(fraction)Z"
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civilFromDays(_ days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

private struct Scanner {
    let bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { index == bytes.count }

    mutating func digit() -> Int? {
        guard index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else { return nil }
        defer { index += 1 }
        return Int(bytes[index] - UInt8(ascii: "0"))
    }

    mutating func digits(_ count: Int) -> Int? {
        var value = 0
        for _ in 0..<count {
            guard let d = digit() else { return nil }
            value = value * 10 + d
        }
        return value
    }

    mutating func expect(_ character: Unicode.Scalar) -> Bool {
        guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { return false }
        index += 1
        return true
    }

    mutating func expectAny(_ characters: [Unicode.Scalar]) -> Bool {
        characters.contains { expect($0) }
    }

    mutating func sign() -> Int64? {
        if expect("+") { return 1 }
        if expect("-") { return -1 }
        return nil
    }
}
