/// Reads a `Retry-After` header (RFC 9110 §10.2.3): how long a target asks us to wait before calling again.
public enum RetryAfter {
    /// The delay the header asks for, from `nowNs`: delay-seconds (`120`) or an HTTP-date. A date in the past is
    /// zero. Nil when the header is absent or malformed, so a bad header falls back to the back-off rather than
    /// failing the job. Not capped here; the policy caps it.
    public static func delay(_ header: String?, nowNs: Int64) -> Duration? {
        guard let text = header?.trimmingWhitespace(), !text.isEmpty else { return nil }
        if text.utf8.allSatisfy({ (48...57).contains($0) }) {
            // A huge number of seconds is still a valid "wait very long"; saturate rather than reject it.
            guard let seconds = Int64(text) else { return .seconds(Int64.max / 1_000_000_000) }
            return .seconds(min(seconds, Int64.max / 1_000_000_000))
        }
        guard let dateSeconds = HTTPDate.parseSeconds(text) else { return nil }
        let nowSeconds = nowNs / 1_000_000_000
        let (dateNs, overflow) = dateSeconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return nil }
        return dateSeconds <= nowSeconds ? .zero : .nanoseconds(dateNs - nowNs)
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
