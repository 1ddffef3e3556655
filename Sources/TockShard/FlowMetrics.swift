import CoreMetrics
import Synchronization
import TockMetrics
import TockModel

/// The flow series of a shard's `/metrics`, sampled by its leader: per flow, runs held back and in flight, and
/// runs released (published) — labelled `flow` only for the top flows of the last sample (`FlowMetricsSelection`,
/// `--flow-metrics-keys`), every other flow under `flow="(other)"` — and unlabelled totals. A flow that drops out
/// of the top loses its series (its released count starts again from 0 if it comes back, which `rate()` reads
/// as a counter reset), so the number of series stays bounded however many keys clients make up.
public final class FlowMetrics: Sendable {
    /// How many flows get a label of their own.
    public let keys: Int
    private let registry: MetricsRegistry
    private let labels: [(String, String)]
    private let releasedTotal: Counter
    /// Exists only while this node leads and samples, as the queue gauges do.
    private let sampled = Mutex<Sampled?>(nil)

    private struct Series {
        var heldBack: Gauge
        var inFlight: Gauge
        var released: Counter

        func destroy() {
            heldBack.destroy()
            inFlight.destroy()
            released.destroy()
        }
    }

    private struct Sampled {
        var series: [String: Series] = [:]
        /// The label each flow labelled at the last sample has; any other flow counts under the other label.
        var labelOf: [FlowID: String] = [:]
        var heldBack: Gauge
        var inFlight: Gauge
        var active: Gauge

        func destroy() {
            for series in series.values { series.destroy() }
            heldBack.destroy()
            inFlight.destroy()
            active.destroy()
        }
    }

    init(registry: MetricsRegistry, labels: [(String, String)], keys: Int) {
        self.registry = registry
        self.labels = labels
        self.keys = max(0, keys)
        releasedTotal = Counter(label: MetricCatalog.flowsReleased.name, dimensions: labels, factory: registry.factory)
    }

    /// Counts runs of flows committed as published (runs of no flow are not counted here).
    func released(_ flows: some Sequence<FlowID>) {
        sampled.withLock { sampled in
            for flow in flows {
                releasedTotal.increment()
                guard let sampled else { continue }
                sampled.series[sampled.labelOf[flow] ?? FlowMetricsSelection.otherLabel]?.released.increment()
            }
        }
    }

    /// Records one sample: the top flows' series, the others' sum, the totals; series of flows no longer in the
    /// top are removed.
    func sample(_ figures: [FlowMetricsSelection.Figures]) {
        let selection = FlowMetricsSelection(figures, keys: keys)
        var wanted = selection.labelled.map { ($0.flow.description, $0.heldBack, $0.inFlight) }
        wanted.append((FlowMetricsSelection.otherLabel, selection.other.heldBack, selection.other.inFlight))
        sampled.withLock { sampled in
            var current = sampled ?? makeSampled()
            let names = Set(wanted.map(\.0))
            for (name, series) in current.series where !names.contains(name) {
                series.destroy()
                current.series[name] = nil
            }
            for (name, heldBack, inFlight) in wanted {
                let series = current.series[name] ?? makeSeries(name)
                series.heldBack.record(heldBack)
                series.inFlight.record(inFlight)
                current.series[name] = series
            }
            current.labelOf = Dictionary(
                uniqueKeysWithValues: selection.labelled.map { ($0.flow, $0.flow.description) })
            current.heldBack.record(selection.total.heldBack)
            current.inFlight.record(selection.total.inFlight)
            current.active.record(selection.active)
            sampled = current
        }
    }

    /// Drops the sampled series, when this node stops leading.
    func stop() {
        sampled.withLock { sampled in
            sampled?.destroy()
            sampled = nil
        }
    }

    private func makeSampled() -> Sampled {
        func gauge(_ metric: MetricCatalog.Metric) -> Gauge {
            Gauge(label: metric.name, dimensions: labels, factory: registry.factory)
        }
        return Sampled(
            heldBack: gauge(MetricCatalog.flowsHeldBack), inFlight: gauge(MetricCatalog.flowsInFlight),
            active: gauge(MetricCatalog.flowsActive))
    }

    private func makeSeries(_ name: String) -> Series {
        let dimensions = labels + [("flow", name)]
        let factory = registry.factory
        return Series(
            heldBack: Gauge(label: MetricCatalog.flowHeldBack.name, dimensions: dimensions, factory: factory),
            inFlight: Gauge(label: MetricCatalog.flowInFlight.name, dimensions: dimensions, factory: factory),
            released: Counter(label: MetricCatalog.flowReleased.name, dimensions: dimensions, factory: factory))
    }
}
