import TockCore

extension SubmitPolicy {
    /// The largest submit request read, over HTTP or NATS: a body at the limit written as a JSON string (escapes
    /// can double it) and room for the other fields. Larger is a 413 before any parsing.
    var maxRequestBytes: Int {
        let (doubled, overflow) = maxBodyBytes.multipliedReportingOverflow(by: 2)
        let (total, overflowAgain) = doubled.addingReportingOverflow(64 * 1024)
        return overflow || overflowAgain ? .max : total
    }
}
