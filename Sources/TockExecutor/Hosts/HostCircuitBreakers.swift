import Synchronization
import TockCore

/// One `CircuitBreaker` per target host, shared by all of an executor's runs. Hosts whose breaker is closed with no
/// failure counted are not stored, so the table holds only hosts that recently failed.
final class HostCircuitBreakers: Sendable {
    private let breakers = Mutex<[String: CircuitBreaker]>([:])
    let policy: CircuitBreakerPolicy
    private let clock: any WallClock

    init(policy: CircuitBreakerPolicy, clock: any WallClock) {
        self.policy = policy
        self.clock = clock
    }

    /// How long calls to `host` are held back now, without admitting one. See `CircuitBreaker.deferral`.
    func deferral(for host: String) -> Duration? {
        let now = clock.nowNs()
        return breakers.withLock { $0[host]?.deferral(nowNs: now) }
    }

    func admit(_ host: String) -> CircuitBreaker.Admission {
        let now = clock.nowNs()
        return breakers.withLock { breakers in
            guard var breaker = breakers[host] else { return .call }
            defer { breakers[host] = breaker }
            return breaker.admit(nowNs: now)
        }
    }

    func record(_ host: String, hostFailed: Bool, probe: Bool) {
        let now = clock.nowNs()
        breakers.withLock { breakers in
            var breaker = breakers[host] ?? CircuitBreaker(policy: policy)
            breaker.record(hostFailed: hostFailed, probe: probe, nowNs: now)
            breakers[host] = breaker.isAtRest ? nil : breaker
        }
    }

    func abandonProbe(_ host: String) {
        breakers.withLock { $0[host]?.abandonProbe() }
    }

    /// Hosts whose breaker is open or half-open, sorted by host.
    func snapshot() -> [HostCircuitState] {
        let now = clock.nowNs()
        let states = breakers.withLock { breakers in
            breakers.compactMap { host, breaker -> HostCircuitState? in
                switch breaker.state {
                case .closed: return nil
                case .open(let untilNs) where untilNs > now:
                    return HostCircuitState(host: host, phase: .open(coolDownLeft: .nanoseconds(untilNs - now)))
                case .open, .halfOpen: return HostCircuitState(host: host, phase: .halfOpen)
                }
            }
        }
        return states.sorted { $0.host < $1.host }
    }
}
