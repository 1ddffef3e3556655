/// When a target host's circuit breaker opens, and for how long.
public struct CircuitBreakerPolicy: Sendable, Equatable {
    /// Consecutive host failures (see `DeliveryVerdict.isHostFailure`) that open the breaker.
    public var failureThreshold: Int
    /// How long an open breaker keeps every call to the host back before letting one probe through.
    public var coolDown: Duration
    /// How long a run waits while another run's probe decides whether the host is back. Short, because a
    /// successful probe closes the breaker at once; never longer than the cool-down.
    public var probeWait: Duration

    public init(failureThreshold: Int = 5, coolDown: Duration = .seconds(30), probeWait: Duration = .seconds(1)) {
        precondition(failureThreshold > 0, "a breaker needs at least one failure to open")
        self.failureThreshold = failureThreshold
        self.coolDown = coolDown
        self.probeWait = min(probeWait, coolDown)
    }
}
