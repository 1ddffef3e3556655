import CoreMetrics
import Synchronization
import TockCore
import TockMetrics
import TockModel
import TockRaftTransport
import TockWire

/// What a shard node exports on `/metrics`: jobs submitted, runs published and completed, how late runs are
/// published, its view of Raft, and — while it leads — the JetStream queues it sampled last.
///
/// Counts are taken by the node that commits them as leader, so summing over a shard's nodes counts each job once.
public final class ShardMetrics: Sendable {
    public let registry = MetricsRegistry()
    private let labels: [(String, String)]
    private let submitted: [Priority: Counter]
    private let published: [Priority: Counter]
    private let publishLag: [Priority: CoreMetrics.Timer]
    private let completed: [Outcome: Counter]
    private let runsChecked: Counter
    private let runsLost: Counter
    private let runsRepublished: Counter
    private let jobsPurged: Counter
    private let runsPurged: Counter
    private let eventsPublished: Counter
    private let eventsOutbox: Gauge
    private let term: Gauge
    private let commitIndex: Gauge
    private let appliedIndex: Gauge
    private let isLeader: Gauge
    private let hasLeader: Gauge
    private let leaderChanges: Counter
    private let rejections: [String: [MessageRejection: Counter]]
    private let peersRefused: [RaftPeerRefusal.Reason: Counter]
    private let lastLeader = Mutex<String?>(nil)
    /// The sampled gauges exist only while this node leads, so a deposed leader does not report stale depths.
    private let queues = Mutex<QueueGauges?>(nil)
    /// Per-flow figures, sampled while this node leads.
    let flows: FlowMetrics

    private struct QueueGauges {
        var perPriority: [Priority: [Gauge]]
        var dueUnpublished: Gauge

        func destroy() {
            for gauge in perPriority.values.joined() { gauge.destroy() }
            dueUnpublished.destroy()
        }
    }

    /// `flowKeys`: how many flows get a `flow` label of their own (`FlowMetrics`).
    public init(shard: UInt32, flowKeys: Int = 20) {
        let factory = registry.factory
        let labels = [("shard", "\(shard)")]
        self.labels = labels
        flows = FlowMetrics(registry: registry, labels: labels, keys: flowKeys)
        func perPriority<M>(_ make: (Priority) -> M) -> [Priority: M] {
            Dictionary(uniqueKeysWithValues: Priority.allCases.map { ($0, make($0)) })
        }
        func priorityLabels(_ priority: Priority) -> [(String, String)] { labels + [("priority", priority.rawValue)] }
        submitted = perPriority {
            Counter(label: MetricCatalog.jobsSubmitted.name, dimensions: priorityLabels($0), factory: factory)
        }
        published = perPriority {
            Counter(label: MetricCatalog.runsPublished.name, dimensions: priorityLabels($0), factory: factory)
        }
        publishLag = perPriority {
            CoreMetrics.Timer(
                label: MetricCatalog.dueToPublishLag.name, dimensions: priorityLabels($0), factory: factory)
        }
        completed = Dictionary(
            uniqueKeysWithValues: [Outcome.succeeded, .failed, .gaveUp].map { outcome in
                (
                    outcome,
                    Counter(
                        label: MetricCatalog.runsCompleted.name,
                        dimensions: labels + [("outcome", outcome.rawValue)], factory: factory)
                )
            })
        runsChecked = Counter(label: MetricCatalog.runsChecked.name, dimensions: labels, factory: factory)
        runsLost = Counter(label: MetricCatalog.runsLost.name, dimensions: labels, factory: factory)
        runsRepublished = Counter(label: MetricCatalog.runsRepublished.name, dimensions: labels, factory: factory)
        jobsPurged = Counter(label: MetricCatalog.jobsPurged.name, dimensions: labels, factory: factory)
        runsPurged = Counter(label: MetricCatalog.runsPurged.name, dimensions: labels, factory: factory)
        func gauge(_ metric: MetricCatalog.Metric) -> Gauge {
            Gauge(label: metric.name, dimensions: labels, factory: factory)
        }
        eventsPublished = Counter(label: MetricCatalog.eventsPublished.name, dimensions: labels, factory: factory)
        eventsOutbox = gauge(MetricCatalog.eventsOutbox)
        term = gauge(MetricCatalog.raftTerm)
        commitIndex = gauge(MetricCatalog.raftCommitIndex)
        appliedIndex = gauge(MetricCatalog.raftAppliedIndex)
        isLeader = gauge(MetricCatalog.raftIsLeader)
        hasLeader = gauge(MetricCatalog.raftHasLeader)
        leaderChanges = Counter(label: MetricCatalog.raftLeaderChanges.name, dimensions: labels, factory: factory)
        peersRefused = Dictionary(
            uniqueKeysWithValues: RaftPeerRefusal.Reason.allCases.map { reason in
                (
                    reason,
                    Counter(
                        label: MetricCatalog.raftPeersRefused.name,
                        dimensions: labels + [("reason", reason.rawValue)], factory: factory)
                )
            })
        rejections = Self.rejectionReasons.reduce(into: [:]) { counters, entry in
            for reason in entry.value {
                counters[entry.key, default: [:]][reason] = Counter(
                    label: MetricCatalog.shardMessagesRejected.name,
                    dimensions: labels + [("subject", entry.key), ("reason", reason.rawValue)], factory: factory)
            }
        }
    }

    /// The subjects whose rejected messages a node counts, each with the reasons that can happen there; their
    /// counters are exported from 0.
    static let rejectionReasons: [String: [MessageRejection]] = {
        let requests: [MessageRejection] = [.noReply, .tooLarge, .headers, .undecodable, .invalid]
        return [
            Subjects.submit: requests, Subjects.submitBatch: requests, Subjects.get: requests,
            Subjects.cancel: requests, Subjects.retry: requests, Subjects.retryBulk: requests,
            Subjects.cancelBulk: requests, Subjects.doneFamily: [.headers, .undecodable, .subject, .invalid],
        ]
    }()

    /// Counts one message refused on `subject` (one of `rejectionReasons`).
    public func rejected(subject: String, _ reason: MessageRejection) {
        rejections[subject]?[reason]?.increment()
    }

    /// Counts one Raft connection refused by its handshake.
    func raftPeerRefused(_ reason: RaftPeerRefusal.Reason) {
        peersRefused[reason]?.increment()
    }

    /// Counts the jobs a committed submit created (not those an idempotency key matched).
    func submitted(_ result: ApplyResult) {
        switch result {
        case .created(let job): submitted[job.priority]?.increment()
        case .batch(let results): results.forEach(submitted)
        default: break
        }
    }

    /// Runs committed as published; `ackedAtNs` is when JetStream acked them.
    func published(_ runs: some Sequence<(priority: Priority, dueAtNs: Int64)>, ackedAtNs: Int64) {
        for run in runs {
            published[run.priority]?.increment()
            publishLag[run.priority]?.recordNanoseconds(max(0, ackedAtNs.saturatingSubtracting(run.dueAtNs)))
        }
    }

    func completed(_ completions: [Completion]) {
        for completion in completions { completed[completion.outcome]?.increment() }
    }

    /// Reconciliation looked up `checked` runs in their stream and found `lost` of them gone.
    func reconciled(checked: Int, lost: Int) {
        if checked > 0 { runsChecked.increment(by: Int64(checked)) }
        if lost > 0 { runsLost.increment(by: Int64(lost)) }
    }

    func republished(_ count: Int) {
        if count > 0 { runsRepublished.increment(by: Int64(count)) }
    }

    /// Retention committed the deletion of `jobs` jobs and `runs` `job_runs` rows.
    func purged(jobs: Int, runs: Int) {
        if jobs > 0 { jobsPurged.increment(by: Int64(jobs)) }
        if runs > 0 { runsPurged.increment(by: Int64(runs)) }
    }

    /// Outcome events published to TOCK_EVENTS and deleted from the outbox.
    func eventsPublished(_ count: Int) {
        if count > 0 { eventsPublished.increment(by: Int64(count)) }
    }

    /// The outbox's depth as the leader's relay last read it; nil (0) once it stops, so only a leader reports one.
    func outboxDepth(_ depth: Int?) {
        eventsOutbox.record(Int64(depth ?? 0))
    }

    /// Keeps the Raft gauges current; called whenever the node's view of its group changes.
    func observe(_ status: ClusterStatus) {
        term.record(Int64(clamping: status.term))
        commitIndex.record(Int64(clamping: status.commitIndex))
        appliedIndex.record(Int64(clamping: status.appliedIndex))
        isLeader.record(status.leader == status.node ? 1 : 0)
        hasLeader.record(status.leader == nil ? 0 : 1)
        let changed = lastLeader.withLock { last in
            defer { if status.leader != nil { last = status.leader } }
            return status.leader != nil && last != nil && status.leader != last
        }
        if changed { leaderChanges.increment() }
    }

    /// Records a sample of the queues (taken while leading).
    func sampled(_ depths: [Priority: QueueDepth], dueUnpublished: Int) {
        queues.withLock { queues in
            if queues == nil { queues = makeQueueGauges() }
            for (priority, depth) in depths {
                guard let gauges = queues?.perPriority[priority] else { continue }
                gauges[0].record(Int64(clamping: depth.depth))
                gauges[1].record(depth.oldestAgeSeconds ?? 0)
                gauges[2].record(Int64(clamping: depth.pending))
                gauges[3].record(Int64(depth.ackPending))
                gauges[4].record(Int64(depth.redelivered))
            }
            queues?.dueUnpublished.record(Int64(dueUnpublished))
        }
    }

    /// Drops the sampled gauges, when this node stops leading.
    func stopSampling() {
        queues.withLock { queues in
            queues?.destroy()
            queues = nil
        }
        flows.stop()
    }

    private func makeQueueGauges() -> QueueGauges {
        let factory = registry.factory
        let order = [
            MetricCatalog.streamMessages, MetricCatalog.streamOldestAge, MetricCatalog.consumerPending,
            MetricCatalog.consumerAckPending, MetricCatalog.consumerRedelivered,
        ]
        return QueueGauges(
            perPriority: Dictionary(
                uniqueKeysWithValues: Priority.allCases.map { priority in
                    (
                        priority,
                        order.map {
                            Gauge(
                                label: $0.name, dimensions: labels + [("priority", priority.rawValue)], factory: factory
                            )
                        }
                    )
                }),
            dueUnpublished: Gauge(label: MetricCatalog.runsDueUnpublished.name, dimensions: labels, factory: factory))
    }
}
