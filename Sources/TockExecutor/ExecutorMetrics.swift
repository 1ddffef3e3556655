import Prometheus
import Synchronization
import TockWire

/// What an executor exports on `/metrics`, in the Prometheus text format: per priority, runs fetched, succeeded,
/// failed, retried and deferred, runs in flight, and webhook latency; per target host, circuit breakers that are
/// not closed.
public final class ExecutorMetrics: Sendable {
    public enum Outcome: String, Sendable, CaseIterable {
        case succeeded, failed, retried, deferred
    }

    private let registry = PrometheusCollectorRegistry()
    private let fetched: [Priority: Counter]
    private let outcomes: [Priority: [Outcome: Counter]]
    private let inFlight: [Priority: Gauge]
    private let latency: [Priority: DurationHistogram]
    /// Hosts given a breaker gauge so far, so a host whose breaker closed again is reported as 0, not dropped.
    private let breakerHosts = Mutex<Set<String>>([])

    public init() {
        let registry = self.registry
        func descriptor(_ name: String, unit: String, help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(namespace: "tock", subsystem: "executor", metricName: name, unitName: unit,
                                 helpText: help)
        }
        let labels = { (priority: Priority) in [("priority", priority.rawValue)] }
        fetched = Dictionary(uniqueKeysWithValues: Priority.allCases.map { priority in
            (priority, registry.makeCounter(
                descriptor: descriptor("runs_fetched", unit: "total", help: "Runs fetched from JetStream."),
                labels: labels(priority)))
        })
        outcomes = Dictionary(uniqueKeysWithValues: Priority.allCases.map { priority in
            (priority, Dictionary(uniqueKeysWithValues: Outcome.allCases.map { outcome in
                (outcome, registry.makeCounter(
                    descriptor: descriptor("runs_\(outcome.rawValue)", unit: "total",
                                           help: Self.help(outcome)),
                    labels: labels(priority)))
            }))
        })
        inFlight = Dictionary(uniqueKeysWithValues: Priority.allCases.map { priority in
            (priority, registry.makeGauge(
                descriptor: descriptor("runs_in_flight", unit: "", help: "Runs being handled now."),
                labels: labels(priority)))
        })
        let buckets: [Duration] = [
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
            .seconds(30),
        ]
        latency = Dictionary(uniqueKeysWithValues: Priority.allCases.map { priority in
            (priority, registry.makeDurationHistogram(
                descriptor: descriptor("webhook_duration", unit: "seconds",
                                       help: "Time from sending a webhook request to its answer (or failure)."),
                labels: labels(priority), buckets: buckets))
        })
    }

    private static func help(_ outcome: Outcome) -> String {
        switch outcome {
        case .succeeded: "Runs whose webhook answered 2xx."
        case .failed: "Runs ended failed: refused (4xx) or out of attempts."
        case .retried: "Failed attempts handed back for a later retry."
        case .deferred: "Deliveries handed back uncalled because the host's circuit breaker was open."
        }
    }

    func fetched(_ count: Int, priority: Priority) {
        guard count > 0 else { return }
        fetched[priority]?.increment(by: Int64(count))
    }

    func count(_ outcome: Outcome, priority: Priority) {
        outcomes[priority]?[outcome]?.increment()
    }

    func started(priority: Priority) { inFlight[priority]?.increment() }
    func ended(priority: Priority) { inFlight[priority]?.decrement() }

    func webhookTook(_ duration: Duration, priority: Priority) {
        latency[priority]?.record(duration)
    }

    /// The Prometheus text format, with the circuit breakers as of now (1 open, 0.5 half-open, 0 closed again).
    public func exposition(openCircuits: [HostCircuitState]) -> String {
        let open = Dictionary(openCircuits.map { ($0.host, $0) }, uniquingKeysWith: { first, _ in first })
        let hosts = breakerHosts.withLock { hosts in
            hosts.formUnion(open.keys)
            return hosts
        }
        let descriptor = MetricNameDescriptor(
            namespace: "tock", subsystem: "executor", metricName: "circuit_open", unitName: "",
            helpText: "Per target host: 1 while its circuit breaker is open, 0.5 half-open, 0 closed.")
        for host in hosts {
            let gauge = registry.makeGauge(descriptor: descriptor, labels: [("host", host)])
            gauge.set(open[host].map { $0.phase == .halfOpen ? 0.5 : 1 } ?? 0)
        }
        return registry.emitToString()
    }
}
