/// cnats mixes units: fetch timeouts, NakWithDelay, jsOptions.Wait and PubOptions.MaxWait are
/// milliseconds; AckWait, BackOff, Expires and Duplicates are nanoseconds.
extension Duration {
    var cnatsNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        return whole.addingReportingOverflow(attoseconds / 1_000_000_000).partialValue
    }

    /// Rounded up, so a positive sub-millisecond duration never becomes 0, which cnats reads as
    /// "use the default" or "do not wait".
    var cnatsMilliseconds: Int64 {
        let nanos = cnatsNanoseconds
        guard nanos > 0 else { return 0 }
        return nanos / 1_000_000 + (nanos % 1_000_000 == 0 ? 0 : 1)
    }
}
