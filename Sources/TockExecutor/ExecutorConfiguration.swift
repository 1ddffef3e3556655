import Foundation
import TockCore
import TockModel
import TockNATS
import TockWire

/// How one executor runs.
public struct ExecutorConfiguration: Sendable {
    public var natsURL = "nats://127.0.0.1:4222"
    /// TLS and credentials for `natsURL`.
    public var natsSecurity = NATSSecurity()
    /// Recorded in every completion, so an operator can tell which executor ran a job.
    public var executorID = "exec-\(ProcessInfo.processInfo.hostName)-\(getpid())"
    /// Most webhooks in flight at once, across all priorities.
    public var concurrency = 64
    /// Most messages one fetch asks for.
    public var fetchBatch = 32
    /// How long one fetch waits for messages.
    public var fetchExpires: Duration = .seconds(1)
    /// Delay before redelivering a failed attempt.
    public var backoff = RetryBackoff()
    /// The consumers' ack wait: runs held longer send InProgress every third of it.
    public var ackWait: Duration = .seconds(60)
    public var priorities: [Priority] = Priority.allCases
    /// How slots are shared when several priorities have work: by `weights`, or strictly by urgency.
    public var scheduling: PriorityPicker.Mode = .weighted
    /// Each priority's share of the slots under saturation, relative to the others'.
    public var weights: [Priority: Int] = QueueConfig.defaultPriorities.mapValues(\.weight)
    /// Per-priority back-off schedules and ack waits from the queue config file; without one, `backoff` and
    /// `ackWait` apply to every priority.
    public var queues: QueueConfig?

    /// Takes concurrency, fetch size, scheduling, weights, back-offs, ack waits and the egress allow-list from the
    /// queue config file.
    public mutating func apply(_ config: QueueConfig) {
        concurrency = config.executor.concurrency
        fetchBatch = config.executor.fetchBatch
        scheduling = config.executor.scheduling
        weights = config.weights
        perHostConcurrency = config.executor.perHostConcurrency
        circuitBreaker = CircuitBreakerPolicy(
            failureThreshold: config.executor.breakerFailures,
            coolDown: .nanoseconds(config.executor.breakerCoolDownNs))
        queues = config
    }

    /// The delay before redelivering a run of `priority` after failed attempt `attempt`.
    public func backoff(for priority: Priority, afterAttempt attempt: UInt64) -> Duration {
        queues.map { $0[priority].backoff(afterAttempt: attempt) } ?? backoff.delay(afterAttempt: attempt)
    }

    /// The ack wait of `priority`'s consumer.
    public func ackWait(for priority: Priority) -> Duration {
        queues.map { .nanoseconds($0[priority].consumer.ackWaitNs) } ?? ackWait
    }
    /// Most webhooks in flight at once to one target host (`host:port`); further runs for it wait for a slot.
    public var perHostConcurrency = 16
    /// When a target host's circuit breaker opens, and for how long.
    public var circuitBreaker = CircuitBreakerPolicy()
    /// Signs every webhook (Standard Webhooks headers and `Tock-Signature`); nil sends no signature.
    public var webhookSigner: WebhookSigner?
    /// Targets allowed besides global addresses whatever the queue config says: `--allow-egress`, and loopback
    /// for `tock dev` and tests against a local sink.
    public var allowEgress = EgressPolicy()
    /// Whether this executor also delivers jobs' callbacks (`callback_url`, `failure_callback_url`) from
    /// TOCK_EVENTS; `tock executor --no-callbacks` leaves them to the other executors.
    public var deliverCallbacks = true

    /// The egress policy in force: the queue config's `egress` section (as reloaded) and `allowEgress`.
    public var egress: EgressPolicy {
        guard let fromConfig = queues?.egress, !fromConfig.isEmpty else { return allowEgress }
        return fromConfig.merging(allowEgress)
    }

    public init() {}
}
