/// One target host's circuit breaker: a pure state machine, fed the outcome of each call and the time.
///
/// closed ──threshold consecutive failures──▶ open ──cool-down over──▶ half-open (one probe call)
///   ▲                                          ▲                            │
///   └──────────── probe succeeded ─────────────┼────────────────────────────┤
///                                              └─────── probe failed ───────┘
///
/// While open, and while half-open with its probe in flight, calls are deferred rather than made, so a host that
/// is down gets no retry storm. In open and half-open, only the probe's outcome counts: calls admitted before the
/// breaker opened may still finish, and their outcomes say nothing about the host now.
public struct CircuitBreaker: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        case closed(consecutiveFailures: Int)
        case open(untilNs: Int64)
        case halfOpen(probeInFlight: Bool)
    }

    /// Whether a call may go to the host now.
    public enum Admission: Sendable, Equatable {
        /// Call; the breaker is closed.
        case call
        /// Call as the one probe of a half-open breaker; its outcome closes or re-opens the breaker.
        case probe
        /// Do not call; try again after this long.
        case deferFor(Duration)
    }

    public let policy: CircuitBreakerPolicy
    public private(set) var state: State = .closed(consecutiveFailures: 0)

    public init(policy: CircuitBreakerPolicy) {
        self.policy = policy
    }

    /// True when the breaker holds nothing worth remembering: closed with no failures counted.
    public var isAtRest: Bool { state == .closed(consecutiveFailures: 0) }

    /// How long an open breaker still holds calls back, without changing state; nil when a call could be
    /// admitted now. Lets a caller decide not to wait for anything else on behalf of a host that is shut.
    public func deferral(nowNs: Int64) -> Duration? {
        switch state {
        case .closed, .halfOpen(probeInFlight: false): return nil
        case .open(let untilNs): return nowNs < untilNs ? .nanoseconds(untilNs - nowNs) : nil
        case .halfOpen(probeInFlight: true): return policy.probeWait
        }
    }

    /// Decides whether one call may go out now. A `.probe` admission must be answered with `record(_:probe:)`
    /// with `probe: true` or `abandonProbe()`, or the host stays half-open with its probe "in flight".
    public mutating func admit(nowNs: Int64) -> Admission {
        switch state {
        case .closed:
            return .call
        case .open(let untilNs):
            if nowNs < untilNs { return .deferFor(.nanoseconds(untilNs - nowNs)) }
            state = .halfOpen(probeInFlight: true)
            return .probe
        case .halfOpen(probeInFlight: false):
            state = .halfOpen(probeInFlight: true)
            return .probe
        case .halfOpen(probeInFlight: true):
            return .deferFor(policy.probeWait)
        }
    }

    /// Feeds back the outcome of an admitted call. `hostFailed` is `DeliveryVerdict.isHostFailure`.
    public mutating func record(hostFailed: Bool, probe: Bool, nowNs: Int64) {
        switch state {
        case .closed(let failures):
            guard !probe else { return }
            if !hostFailed {
                state = .closed(consecutiveFailures: 0)
            } else if failures + 1 >= policy.failureThreshold {
                state = .open(untilNs: coolDownEnd(from: nowNs))
            } else {
                state = .closed(consecutiveFailures: failures + 1)
            }
        case .halfOpen(probeInFlight: true) where probe:
            state = hostFailed ? .open(untilNs: coolDownEnd(from: nowNs)) : .closed(consecutiveFailures: 0)
        case .open, .halfOpen:
            break
        }
    }

    private func coolDownEnd(from nowNs: Int64) -> Int64 {
        let (until, overflow) = nowNs.addingReportingOverflow(policy.coolDown.nanoseconds)
        return overflow ? .max : until
    }

    /// The probe ended without saying anything about the host (the executor is stopping): let another run probe.
    public mutating func abandonProbe() {
        if state == .halfOpen(probeInFlight: true) { state = .halfOpen(probeInFlight: false) }
    }
}
