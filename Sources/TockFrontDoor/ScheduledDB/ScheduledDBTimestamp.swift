import TockCore

/// The times scheduled-db's API reads and writes: Unix seconds.
///
/// It accepts, in this order, a decimal count of seconds (`"1735120800"`, sign allowed), an RFC 3339 time
/// (`"2024-12-25T10:00:00Z"`, `"…+02:00"`, with or without a fraction, which is dropped) and `"2024-12-25 10:00:00"`,
/// read as UTC. Its answers carry plain integers.
public enum ScheduledDBTimestamp {
    public static func parseSeconds(_ text: String) -> Int64? {
        if let seconds = Int64(text) { return seconds }
        if let ns = RFC3339.parseNs(text) { return seconds(ns: ns) }
        // Go's "2006-01-02 15:04:05" layout: no zone, so UTC.
        if text.utf8.count == 19, text.utf8[text.utf8.index(text.utf8.startIndex, offsetBy: 10)] == UInt8(ascii: " "),
            let ns = RFC3339.parseNs(text + "Z")
        {
            return seconds(ns: ns)
        }
        return nil
    }

    /// `seconds` when it lies within `TimeWindow` (100 years) of `nowNs`. A count of milliseconds, a common
    /// client mistake, is refused with a message that says so rather than read as a time 1,000 times further off:
    /// scheduled-db itself reads every count as seconds, so reading it as milliseconds would make the same request
    /// mean two different times on the two systems.
    public static func checked(_ seconds: Int64, field: String, nowNs: Int64) throws(FieldError) -> Int64 {
        let window = TimeWindow.around(nowNs)
        let (ns, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if !overflow, window.contains(ns) { return seconds }
        let (millisecondsAsNs, msOverflow) = seconds.multipliedReportingOverflow(by: 1_000_000)
        if !msOverflow, window.contains(millisecondsAsNs) {
            throw FieldError(
                field: field, code: "out_of_range",
                message: "Invalid job data: invalid \(field): "
                    + "\(seconds) looks like milliseconds; scheduled-db times are Unix seconds (\(seconds / 1000))")
        }
        throw FieldError(
            field: field, code: "out_of_range",
            message: "Invalid job data: invalid \(field): \(seconds) "
                + "is not within \(TimeWindow.spanText) of now (Unix seconds \(window.lowerBound / 1_000_000_000) "
                + "to \(window.upperBound / 1_000_000_000))")
    }

    /// Whole seconds, rounded down as Go's `Time.Unix` does (also before 1970).
    public static func seconds(ns: Int64) -> Int64 {
        ns >= 0 ? ns / 1_000_000_000 : (ns + 1) / 1_000_000_000 - 1
    }

    /// The seconds of one of Tock's RFC 3339 texts (a `JobView` time).
    static func seconds(rfc3339 text: String) -> Int64 {
        RFC3339.parseNs(text).map { seconds(ns: $0) } ?? 0
    }
}
