/// What a call must show to be served.
public enum Access: Sendable, Equatable {
    /// Health checks and metrics, for load balancers and Prometheus.
    case open
    /// Any known key.
    case authenticated
    case scope(Scope)
}
