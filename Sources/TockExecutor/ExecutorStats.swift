import Synchronization
import TockModel
import TockWire

/// Counters an operator (and a test) reads to see what an executor did since it started.
public final class ExecutorStats: Sendable {
    let fetchedCounter = Atomic<Int>(0)
    let succeededCounter = Atomic<Int>(0)
    let gaveUpCounter = Atomic<Int>(0)
    let retriedCounter = Atomic<Int>(0)
    let malformedCounter = Atomic<Int>(0)
    let inFlightCounter = Atomic<Int>(0)
    private let finishedPerPriority = Mutex<[Priority: Int]>([:])
    let failedCounter = Atomic<Int>(0)
    let deferredCounter = Atomic<Int>(0)
    private let breakers: HostCircuitBreakers

    init(breakers: HostCircuitBreakers) {
        self.breakers = breakers
    }

    public var fetched: Int { fetchedCounter.load(ordering: .relaxed) }
    public var succeeded: Int { succeededCounter.load(ordering: .relaxed) }
    public var gaveUp: Int { gaveUpCounter.load(ordering: .relaxed) }
    public var retried: Int { retriedCounter.load(ordering: .relaxed) }
    /// Messages terminated without a call: unreadable, not a `JobRun`, or refused by `JobRunCheck`.
    public var malformed: Int { malformedCounter.load(ordering: .relaxed) }
    public var inFlight: Int { inFlightCounter.load(ordering: .relaxed) }
    /// Runs whose handling finished (acked, nak'd or terminated), per priority.
    public var finishedByPriority: [Priority: Int] { finishedPerPriority.withLock { $0 } }
    /// Runs ended at once by an answer no retry would change (3xx, 4xx other than 408 and 429).
    public var failed: Int { failedCounter.load(ordering: .relaxed) }
    /// Deliveries handed back without a call because their host's circuit breaker was open.
    public var deferred: Int { deferredCounter.load(ordering: .relaxed) }
    /// Target hosts whose circuit breaker is open or half-open now, sorted by host.
    public var openCircuits: [HostCircuitState] { breakers.snapshot() }

    func count(finished: Int, priority: Priority) {
        finishedPerPriority.withLock { $0[priority, default: 0] += finished }
    }
}
