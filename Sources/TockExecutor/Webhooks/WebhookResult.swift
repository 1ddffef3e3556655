import TockCore

/// What one webhook attempt came to, classified by `WebhookOutcomePolicy`.
public enum WebhookResult: Sendable, Equatable {
    /// The target answered 2xx.
    case delivered(status: Int)
    /// 408, 429, 5xx, a timeout or a connection error: worth another attempt. `status` is nil when there was no
    /// response; `requestedDelay` is the target's `Retry-After`, capped.
    case retryableFailure(status: Int?, error: String, requestedDelay: Duration?)
    /// Any other answer (3xx, other 4xx): another attempt would get the same, so the run ends failed now.
    case permanentFailure(status: Int, error: String)
    /// The egress guard refused the target (`reason`: the address class, for the metric): a permanent failure,
    /// and nothing was sent.
    case refused(reason: String, error: String)

    /// Whether this counts against the target host's circuit breaker.
    var isHostFailure: Bool {
        if case .retryableFailure = self { return true }
        return false
    }
}
