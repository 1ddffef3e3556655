/// How long a peer link waits before its next connection attempt: 100 ms,
/// doubling up to 2 s, back to 100 ms after a connection that carried messages.
struct ReconnectBackoff {
    static let initial: Duration = .milliseconds(100)
    static let maximum: Duration = .seconds(2)

    private(set) var current: Duration = Self.initial

    /// The delay to wait now; the next call returns twice as much (capped).
    mutating func next() -> Duration {
        let delay = current
        current = min(current * 2, Self.maximum)
        return delay
    }

    mutating func reset() {
        current = Self.initial
    }
}
