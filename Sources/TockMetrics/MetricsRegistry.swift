import CoreMetrics
import Prometheus

/// One process's (or one in-process node's) metrics: swift-metrics handles made by `factory`, exposed in the
/// Prometheus text format by `exposition()`. Each node owns its registry instead of bootstrapping the global
/// `MetricsSystem`, so several nodes in one test process keep separate counts.
public final class MetricsRegistry: Sendable {
    private let registry = PrometheusCollectorRegistry()
    /// Pass it as `factory:` to swift-metrics' `Counter`, `Meter`, `Gauge` and `Timer`.
    public let factory: any MetricsFactory

    public init() {
        factory = DocumentedPrometheusFactory(registry: registry)
    }

    /// The Prometheus text exposition format (version 0.0.4).
    public func exposition() -> String { registry.emitToString() }

    /// The `Content-Type` of `exposition()`.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"
}
