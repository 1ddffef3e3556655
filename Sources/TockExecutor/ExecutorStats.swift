import Synchronization
import TockCore
import TockModel
import TockWire

/// What an executor did since it started, counted once: each event updates these counters (read by `tock
/// status`, the drain log and tests) and the executor's `/metrics` together, so the two cannot disagree.
public final class ExecutorStats: Sendable {
    /// How one delivery of a run ended here.
    enum RunEnd: Sendable {
        case succeeded
        /// Refused: an answer no retry would change, or a target the egress guard refuses.
        case failed
        /// Out of attempts; also counted as failed.
        case gaveUp
        /// Handed back for a later attempt.
        case retried
        /// Handed back uncalled: the host's circuit breaker was open.
        case deferred
    }

    private let fetchedCounter = Atomic<Int>(0)
    private let succeededCounter = Atomic<Int>(0)
    private let failedCounter = Atomic<Int>(0)
    private let gaveUpCounter = Atomic<Int>(0)
    private let retriedCounter = Atomic<Int>(0)
    private let deferredCounter = Atomic<Int>(0)
    private let malformedCounter = Atomic<Int>(0)
    private let inFlightCounter = Atomic<Int>(0)
    private let finishedPerPriority = Mutex<[Priority: Int]>([:])
    private let breakers: HostCircuitBreakers
    private let metrics: ExecutorMetrics

    init(breakers: HostCircuitBreakers, metrics: ExecutorMetrics) {
        self.breakers = breakers
        self.metrics = metrics
    }

    public var fetched: Int { fetchedCounter.load(ordering: .relaxed) }
    public var succeeded: Int { succeededCounter.load(ordering: .relaxed) }
    /// Runs ended failed: refused (3xx, 4xx other than 408 and 429, or by the egress guard) or out of attempts,
    /// as `tock_executor_runs_failed_total`.
    public var failed: Int { failedCounter.load(ordering: .relaxed) }
    /// Of `failed`, the runs out of attempts.
    public var gaveUp: Int { gaveUpCounter.load(ordering: .relaxed) }
    public var retried: Int { retriedCounter.load(ordering: .relaxed) }
    /// Deliveries handed back without a call because their host's circuit breaker was open.
    public var deferred: Int { deferredCounter.load(ordering: .relaxed) }
    /// Messages terminated without a call: unreadable, not a `JobRun`, or refused by `JobRunCheck`.
    public var malformed: Int { malformedCounter.load(ordering: .relaxed) }
    public var inFlight: Int { inFlightCounter.load(ordering: .relaxed) }
    /// Runs whose handling finished (acked, nak'd or terminated), per priority.
    public var finishedByPriority: [Priority: Int] { finishedPerPriority.withLock { $0 } }
    /// Target hosts whose circuit breaker is open or half-open now, sorted by host.
    public var openCircuits: [HostCircuitState] { breakers.snapshot() }

    func fetched(_ count: Int, priority: Priority) {
        fetchedCounter.add(count, ordering: .relaxed)
        metrics.fetched(count, priority: priority)
    }

    func rejected(priority: Priority, _ reason: MessageRejection) {
        malformedCounter.add(1, ordering: .relaxed)
        metrics.rejected(priority: priority, reason)
    }

    func started(priority: Priority) {
        inFlightCounter.add(1, ordering: .relaxed)
        metrics.started(priority: priority)
    }

    func ended(priority: Priority) {
        inFlightCounter.subtract(1, ordering: .relaxed)
        metrics.ended(priority: priority)
    }

    func record(_ end: RunEnd, priority: Priority) {
        switch end {
        case .succeeded:
            succeededCounter.add(1, ordering: .relaxed)
            metrics.count(.succeeded, priority: priority)
        case .failed:
            failedCounter.add(1, ordering: .relaxed)
            metrics.count(.failed, priority: priority)
        case .gaveUp:
            gaveUpCounter.add(1, ordering: .relaxed)
            failedCounter.add(1, ordering: .relaxed)
            metrics.count(.failed, priority: priority)
        case .retried:
            retriedCounter.add(1, ordering: .relaxed)
            metrics.count(.retried, priority: priority)
        case .deferred:
            deferredCounter.add(1, ordering: .relaxed)
            metrics.count(.deferred, priority: priority)
        }
    }

    func count(finished: Int, priority: Priority) {
        finishedPerPriority.withLock { $0[priority, default: 0] += finished }
    }
}
