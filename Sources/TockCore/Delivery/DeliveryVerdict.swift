/// What one webhook attempt means for its run.
public enum DeliveryVerdict: Sendable, Equatable {
    /// 2xx: the run succeeded.
    case succeeded
    /// A failure another attempt may fix (408, 429, 5xx, a timeout, a connection error). `requestedDelay` is what
    /// the target asked for with `Retry-After`, already capped; the redelivery waits at least that long.
    case retry(requestedDelay: Duration?)
    /// A failure another attempt would only repeat (any other 4xx, 3xx): the run ends failed now.
    case failPermanently

    /// Whether the attempt says the target host is unhealthy. A permanent failure does not: the host answered, it
    /// is the request it refused, so it must not open the host's circuit breaker for every other job.
    public var isHostFailure: Bool {
        if case .retry = self { return true }
        return false
    }
}
