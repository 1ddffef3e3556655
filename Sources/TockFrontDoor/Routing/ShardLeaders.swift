import AsyncHTTPClient
import Foundation
import Logging
import Synchronization
import TockCore
import TockShard

/// Finds each shard's leader and sends calls to it. The leader's address is cached per shard and replaced when a
/// node answers `not_leader` (with a hint where the node knows better) or cannot be reached; then the shard's
/// nodes are tried in turn until one leads or the call's deadline passes. A per-shard circuit breaker turns a
/// shard that keeps failing into an immediate 503 with `Retry-After`, instead of every caller waiting it out.
final class ShardLeaders: Sendable {
    struct Settings: Sendable {
        /// How long one call may spend finding a leader (an election takes about a second).
        var callDeadline: Duration = .seconds(5)
        /// One attempt's limit, commit included.
        var attemptTimeout: Duration = .seconds(10)
        var retryPause: Duration = .milliseconds(100)
        var breaker = CircuitBreakerPolicy(failureThreshold: 3, coolDown: .seconds(5), probeWait: .seconds(1))
    }

    private struct ShardState {
        var leader: HostPort?
        var nextNode = 0
        var breaker: CircuitBreaker
    }

    let map: ShardMap
    private let sender: String
    let client: HTTPClient
    private let settings: Settings
    private let clock: any WallClock
    private let logger: Logger
    /// Where this node's own Raft view says its shard's leader is; a faster first guess than the cache.
    private let localLeader: @Sendable (UInt32) -> HostPort?
    private let states: Mutex<[ShardState]>

    init(
        map: ShardMap, sender: String, client: HTTPClient, settings: Settings = .init(),
        clock: any WallClock = SystemWallClock(), logger: Logger,
        localLeader: @escaping @Sendable (UInt32) -> HostPort? = { _ in nil }
    ) {
        self.map = map
        self.sender = sender
        self.client = client
        self.settings = settings
        self.clock = clock
        self.logger = logger
        self.localLeader = localLeader
        states = Mutex(
            Array(
                repeating: ShardState(breaker: CircuitBreaker(policy: settings.breaker)),
                count: map.shardCount))
    }

    /// Sends `call` to `shard`'s leader and returns its answer, or the failure to give the client.
    func send(_ call: ForwardedCall, toShard shard: UInt32) async -> Result<ForwardedCall.Answer, JobFailure> {
        // Callers route by the map, so this holds; a shard it does not name is refused rather than indexed.
        guard Int(shard) < map.shardCount else {
            return .failure(JobFailure(status: 404, code: "not_found", message: "the shard map has no shard \(shard)"))
        }
        let admission = states.withLock { $0[Int(shard)].breaker.admit(nowNs: clock.nowNs()) }
        if case .deferFor(let wait) = admission {
            return .failure(
                Self.unavailable(
                    shard, retryAfter: wait,
                    reason: "it failed repeatedly; calls are held back for \(wait)"))
        }
        let probe = admission == .probe
        let result = await attempt(call, shard: shard)
        states.withLock { states in
            let failed = if case .failure(let failure) = result { failure.status == 503 } else { false }
            states[Int(shard)].breaker.record(hostFailed: failed, probe: probe, nowNs: clock.nowNs())
        }
        return result
    }

    private func attempt(_ call: ForwardedCall, shard: UInt32) async -> Result<ForwardedCall.Answer, JobFailure> {
        let deadline = ContinuousClock.now.advanced(by: settings.callDeadline)
        var lastProblem = "no node answered"
        while ContinuousClock.now < deadline, !Task.isCancelled {
            let address = target(shard)
            do {
                let answer = try await call.send(
                    to: address, shard: shard, from: sender, client: client,
                    timeout: settings.attemptTimeout)
                guard let failure = answer.failure, failure.status == 503,
                    ["not_leader", "no_leader"].contains(failure.error.error.code)
                else {
                    remember(address, for: shard)
                    return .success(answer)
                }
                lastProblem = "\(address) answered \(failure.error.error.code)"
                if let hint = failure.leaderHint, hint != address {
                    remember(hint, for: shard)
                    continue
                }
                forget(address, for: shard)
            } catch {
                lastProblem = "\(address): \(error)"
                forget(address, for: shard)
                guard call.retrySafe || Self.neverSent(error) else {
                    logger.warning(
                        "forwarded call failed after it may have been served",
                        metadata: ["shard": "\(shard)", "node": "\(address)", "error": "\(error)"])
                    return .failure(
                        JobFailure(
                            status: 503, code: "outcome_unknown",
                            message:
                                "shard \(shard)'s node \(address) failed while serving the request (\(error)); it may "
                                + "or may not have taken effect. Retry with an idempotency_key to make retries safe.",
                            retryAfterSeconds: 1))
                }
            }
            try? await Task.sleep(for: settings.retryPause)
        }
        return .failure(Self.unavailable(shard, retryAfter: .seconds(1), reason: "no leader found: \(lastProblem)"))
    }

    private func target(_ shard: UInt32) -> HostPort {
        if let cached = states.withLock({ $0[Int(shard)].leader }) { return cached }
        if let local = localLeader(shard) { return local }
        let nodes = map.nodes(of: shard)
        return states.withLock { states in
            let node = nodes[states[Int(shard)].nextNode % nodes.count]
            states[Int(shard)].nextNode += 1
            return node.http
        }
    }

    private func remember(_ address: HostPort, for shard: UInt32) {
        states.withLock { $0[Int(shard)].leader = address }
    }

    private func forget(_ address: HostPort, for shard: UInt32) {
        states.withLock { states in
            if states[Int(shard)].leader == address { states[Int(shard)].leader = nil }
        }
    }

    /// Connection failures happen before the request reaches the node, so even a submit without an idempotency
    /// key can go elsewhere.
    static func neverSent(_ error: any Error) -> Bool {
        if let error = error as? HTTPClientError, error == .connectTimeout { return true }
        let text = String(describing: error).lowercased()
        return text.contains("connection refused") || text.contains("connectTimeout".lowercased())
            || text.contains("connect timeout")
    }

    static func unavailable(_ shard: UInt32, retryAfter: Duration, reason: String) -> JobFailure {
        let seconds = max(
            1,
            Int(
                (Double(retryAfter.components.seconds)
                    + Double(retryAfter.components.attoseconds) / 1e18).rounded(.up)))
        return JobFailure(
            status: 503, code: "shard_unavailable",
            message: "shard \(shard) is unavailable: \(reason); retry after \(seconds)s",
            retryAfterSeconds: seconds)
    }
}
