/// A target host whose circuit breaker is not closed, as `ExecutorStats.openCircuits` shows it.
public struct HostCircuitState: Sendable, Equatable {
    public enum Phase: Sendable, Equatable {
        /// Every run for the host is deferred for `coolDownLeft` more.
        case open(coolDownLeft: Duration)
        /// The cool-down is over: the next run for the host is a probe (or one is in flight).
        case halfOpen
    }

    /// `host:port` of the webhook URL.
    public var host: String
    public var phase: Phase
}
