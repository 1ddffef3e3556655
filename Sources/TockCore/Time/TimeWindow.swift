/// The times and durations Tock takes from a client: within 100 years of now. Checked before any arithmetic, so
/// that no sum of an accepted time and an accepted duration can overflow `Int64` nanoseconds (which end in 2262)
/// and every stored time renders as an RFC 3339 date.
public enum TimeWindow {
    /// 100 Gregorian years (36,524.25 days).
    public static let spanNs: Int64 = 3_155_695_200_000_000_000
    /// The longest duration a client may give (`delay`, `@every`), also 100 years.
    public static let maxDurationNs: Int64 = spanNs
    /// Written in error messages and in Schemas/API.md.
    public static let spanText = "100 years"

    /// `nowNs` ± `spanNs`, saturating at the ends of `Int64`.
    public static func around(_ nowNs: Int64) -> ClosedRange<Int64> {
        nowNs.saturatingSubtracting(spanNs)...nowNs.saturatingAdding(spanNs)
    }

    /// `ns` when it lies within 100 years of `nowNs`; otherwise a 400 naming `field`.
    @discardableResult
    public static func check(_ ns: Int64, field: String, nowNs: Int64) throws(FieldError) -> Int64 {
        let window = around(nowNs)
        guard window.contains(ns) else {
            throw FieldError(
                field: field, code: "out_of_range",
                message: "\(field) must be within \(spanText) of now, "
                    + "from \(RFC3339.format(ns: window.lowerBound, fractionDigits: 0)) "
                    + "to \(RFC3339.format(ns: window.upperBound, fractionDigits: 0))")
        }
        return ns
    }

    /// `ns` when it is a duration from 0 to 100 years; otherwise a 400 naming `field`.
    @discardableResult
    public static func checkDuration(_ ns: Int64, field: String) throws(FieldError) -> Int64 {
        guard (0...maxDurationNs).contains(ns) else {
            throw FieldError(
                field: field, code: "out_of_range",
                message: "\(field) must be a duration of at most \(spanText) (36524d)")
        }
        return ns
    }
}
