import CoreMetrics
import Synchronization
import TockCore
import TockMetrics
import TockModel
import TockWire

/// What an executor exports on `/metrics`, in the Prometheus text format: per priority, runs fetched, succeeded,
/// failed, retried and deferred, runs in flight against the configured concurrency, webhook latency and how late
/// runs are called after they fell due; per target host, circuit breakers that are not closed.
public final class ExecutorMetrics: Sendable {
    public enum Outcome: String, Sendable, CaseIterable {
        case succeeded, failed, retried, deferred

        var metric: MetricCatalog.Metric {
            switch self {
            case .succeeded: MetricCatalog.runsSucceeded
            case .failed: MetricCatalog.runsFailed
            case .retried: MetricCatalog.runsRetried
            case .deferred: MetricCatalog.runsDeferred
            }
        }
    }

    public let registry = MetricsRegistry()
    private let fetched: [Priority: Counter]
    private let outcomes: [Priority: [Outcome: Counter]]
    private let inFlight: [Priority: Meter]
    private let latency: [Priority: CoreMetrics.Timer]
    private let dueToWebhook: [Priority: CoreMetrics.Timer]
    private let concurrency: Gauge
    private let rejections: [Priority: [MessageRejection: Counter]]
    private let egressRefusals: [String: Counter]
    /// Hosts given a breaker gauge so far, so a host whose breaker closed again is reported as 0, not dropped.
    private let breakerHosts = Mutex<Set<String>>([])

    public init(concurrency limit: Int = 0) {
        let factory = registry.factory
        func perPriority<M>(_ make: ([(String, String)]) -> M) -> [Priority: M] {
            Dictionary(uniqueKeysWithValues: Priority.allCases.map { ($0, make([("priority", $0.rawValue)])) })
        }
        fetched = perPriority { Counter(label: MetricCatalog.runsFetched.name, dimensions: $0, factory: factory) }
        outcomes = perPriority { labels in
            Dictionary(
                uniqueKeysWithValues: Outcome.allCases.map { outcome in
                    (outcome, Counter(label: outcome.metric.name, dimensions: labels, factory: factory))
                })
        }
        inFlight = perPriority { Meter(label: MetricCatalog.runsInFlight.name, dimensions: $0, factory: factory) }
        latency = perPriority {
            CoreMetrics.Timer(label: MetricCatalog.webhookDuration.name, dimensions: $0, factory: factory)
        }
        dueToWebhook = perPriority {
            CoreMetrics.Timer(label: MetricCatalog.dueToWebhook.name, dimensions: $0, factory: factory)
        }
        concurrency = Gauge(label: MetricCatalog.executorConcurrency.name, factory: factory)
        concurrency.record(limit)
        rejections = perPriority { labels in
            Dictionary(
                uniqueKeysWithValues: Self.rejectionReasons.map { reason in
                    (
                        reason,
                        Counter(
                            label: MetricCatalog.executorMessagesRejected.name,
                            dimensions: labels + [("reason", reason.rawValue)], factory: factory)
                    )
                })
        }
        egressRefusals = Dictionary(
            uniqueKeysWithValues: Self.egressRefusalReasons.map { reason in
                (
                    reason,
                    Counter(
                        label: MetricCatalog.egressRefused.name, dimensions: [("reason", reason)],
                        factory: factory)
                )
            })
    }

    /// Why the egress guard refuses a target: an address class, or a URL it cannot call. Exported from 0.
    static let egressRefusalReasons = AddressClass.allCases.filter { $0 != .global }.map(\.label) + ["invalid_url"]

    func egressRefused(reason: String) {
        egressRefusals[reason]?.increment()
    }

    /// What can be wrong with a message on `tock.jobs`; each priority's counters are exported from 0.
    static let rejectionReasons: [MessageRejection] = [.headers, .undecodable, .subject, .invalid]

    func rejected(priority: Priority, _ reason: MessageRejection) {
        rejections[priority]?[reason]?.increment()
    }

    func fetched(_ count: Int, priority: Priority) {
        guard count > 0 else { return }
        fetched[priority]?.increment(by: count)
    }

    func count(_ outcome: Outcome, priority: Priority) {
        outcomes[priority]?[outcome]?.increment()
    }

    func started(priority: Priority) { inFlight[priority]?.increment() }
    func ended(priority: Priority) { inFlight[priority]?.decrement() }

    func webhookTook(_ duration: Duration, priority: Priority) {
        latency[priority]?.recordNanoseconds(duration.nanoseconds)
    }

    /// A run's first webhook request is being sent `lateNs` after its due time.
    func calledLate(byNs lateNs: Int64, priority: Priority) {
        dueToWebhook[priority]?.recordNanoseconds(max(0, lateNs))
    }

    /// The concurrency limit, after a reload changed it.
    func concurrencyLimit(_ limit: Int) { concurrency.record(limit) }

    /// The Prometheus text format, with the circuit breakers as of now (1 open, 0.5 half-open, 0 closed again).
    public func exposition(openCircuits: [HostCircuitState]) -> String {
        let open = Dictionary(openCircuits.map { ($0.host, $0) }, uniquingKeysWith: { first, _ in first })
        let hosts = breakerHosts.withLock { hosts in
            hosts.formUnion(open.keys)
            return hosts
        }
        for host in hosts {
            Gauge(label: MetricCatalog.circuitOpen.name, dimensions: [("host", host)], factory: registry.factory)
                .record(open[host].map { $0.phase == .halfOpen ? 0.5 : 1 } ?? 0)
        }
        return registry.exposition()
    }
}
