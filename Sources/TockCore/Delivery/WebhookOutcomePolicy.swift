/// Classifies one webhook attempt: succeeded, retry (and how long the target asked us to wait), or fail at once.
///
/// | answer | verdict |
/// |---|---|
/// | 2xx | succeeded |
/// | 408, 429, 5xx | retry, honouring `Retry-After` |
/// | 3xx (redirects are not followed), any other 4xx, 1xx | fail permanently |
/// | no answer: timeout, connection error | retry |
public struct WebhookOutcomePolicy: Sendable, Equatable {
    /// The longest `Retry-After` honoured: a target asking for a day must not park a run that long.
    public var retryAfterLimit: Duration

    public init(retryAfterLimit: Duration = .seconds(3600)) {
        self.retryAfterLimit = retryAfterLimit
    }

    /// `status` is nil when no response arrived; `retryAfter` is the raw header, read relative to `nowNs`.
    public func verdict(status: Int?, retryAfter: String?, nowNs: Int64) -> DeliveryVerdict {
        guard let status else { return .retry(requestedDelay: nil) }
        switch status {
        case 200..<300:
            return .succeeded
        case 408, 429, 500..<600:
            return .retry(requestedDelay: RetryAfter.delay(retryAfter, nowNs: nowNs).map { min($0, retryAfterLimit) })
        default:
            return .failPermanently
        }
    }

    /// The redelivery delay: the back-off, or the target's `Retry-After` when that is longer.
    public func redeliveryDelay(backoff: Duration, requested: Duration?) -> Duration {
        max(backoff, requested ?? .zero)
    }
}
