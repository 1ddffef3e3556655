/// Exponential back-off between delivery attempts: base, 2·base, 4·base, … capped at `max`.
public struct RetryBackoff: Sendable, Equatable {
    public var base: Duration
    public var max: Duration

    public init(base: Duration = .seconds(1), max: Duration = .seconds(60)) {
        self.base = base
        self.max = max
    }

    /// The delay after failed attempt number `attempt` (1-based).
    public func delay(afterAttempt attempt: UInt64) -> Duration {
        let exponent = Swift.min(attempt == 0 ? 0 : attempt - 1, 32)
        let ns = Double(base.nanoseconds) * Double(UInt64(1) << exponent)
        return .nanoseconds(Int64(Swift.min(ns, Double(max.nanoseconds))))
    }
}
