import Logging
import TockCore
import TockModel
import TockNATS
import TockSQLite
import TockWire

/// While its node leads, reads every `interval` how deep each priority's queue is in JetStream, how many runs
/// are due but not yet published, and each flow's runs held back and in flight, for the metrics. One leader per shard samples, so the broker answers a few
/// requests per shard per interval however many nodes and executors run.
struct QueueSampler: Sendable {
    let database: DatabaseQueue
    let link: NATSLink
    let clock: any WallClock
    let metrics: ShardMetrics
    let interval: Duration
    let logger: Logger

    /// Runs until the task is cancelled, then drops the sampled gauges. `flows`: what the leader's gate holds.
    func run(flows: @Sendable () async -> [FlowGateView] = { [] }) async {
        defer { metrics.stopSampling() }
        while !Task.isCancelled {
            await sampleOnce()
            await sampleFlows(gate: await flows())
            try? await Task.sleep(for: interval)
        }
    }

    private func sampleFlows(gate: [FlowGateView]) async {
        do {
            let inFlight = try await database.read { try FlowRuns.inFlight(in: $0) }
            metrics.flows.sample(FlowMetricsSelection.figures(gate: gate, inFlight: inFlight))
        } catch {
            logger.debug("cannot count the flows' runs in flight", metadata: ["error": "\(error)"])
        }
    }

    private func sampleOnce() async {
        let now = clock.nowNs()
        var depths: [Priority: QueueDepth] = [:]
        do {
            let js = try await link.jetStream()
            for priority in Priority.allCases {
                depths[priority] = try await QueueDepth.read(priority, from: js, nowNs: now)
            }
        } catch is CancellationError {
            return
        } catch {
            logger.debug("cannot sample the job streams", metadata: ["error": "\(error)"])
        }
        let due = (try? await database.read { try ScheduledRunScan.dueUnpublished(nowNs: now, in: $0) }) ?? 0
        metrics.sampled(depths, dueUnpublished: due)
    }
}
