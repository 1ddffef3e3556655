/// Every metric Tock exports, in one place: its name (Prometheus conventions: `_total` counters, `_seconds`
/// histograms), what it means (the `# HELP` line) and its histogram buckets. `ops/prometheus/metrics.txt`, which the
/// dashboard and alert rules are checked against, lists the same names (`ops/check-observability` keeps the two
/// equal in CI).
public enum MetricCatalog {
    public enum Kind: String, Sendable {
        case counter, gauge, histogram
    }

    public struct Metric: Sendable, Hashable {
        public let name: String
        public let kind: Kind
        public let help: String
    }

    // MARK: Shards (label `shard`; the leader counts what it commits)

    public static let jobsSubmitted = Metric(
        name: "tock_shard_jobs_submitted_total", kind: .counter,
        help:
            "Jobs created, per priority (counted by the leader that committed them; repeated idempotency keys are not)."
    )
    public static let runsPublished = Metric(
        name: "tock_shard_runs_published_total", kind: .counter,
        help: "Runs published to JetStream and committed as published, per priority.")
    public static let runsCompleted = Metric(
        name: "tock_shard_runs_completed_total", kind: .counter,
        help: "Completions committed, per outcome (succeeded, failed, gave_up).")
    public static let dueToPublishLag = Metric(
        name: "tock_shard_due_to_publish_lag_seconds", kind: .histogram,
        help: "From a run's due time to JetStream acking its publish, per priority.")
    public static let runsDueUnpublished = Metric(
        name: "tock_shard_runs_due_unpublished", kind: .gauge,
        help: "Runs due now but not yet committed as published (sampled by the leader).")
    public static let runsChecked = Metric(
        name: "tock_shard_runs_checked_total", kind: .counter,
        help: "Published runs the leader looked up in their job stream because they were out longer than they "
            + "could legitimately be in flight (reconciliation).")
    public static let runsLost = Metric(
        name: "tock_shard_runs_lost_total", kind: .counter,
        help: "Published runs whose message JetStream no longer held (purged, discarded, lost in a crash) while "
            + "no completion for them was waiting: each is published again.")
    public static let runsRepublished = Metric(
        name: "tock_shard_runs_republished_total", kind: .counter,
        help: "Lost runs published again and committed with their new stream sequence.")
    public static let jobsPurged = Metric(
        name: "tock_shard_jobs_purged_total", kind: .counter,
        help: "Finished jobs (succeeded, failed, cancelled) deleted by retention once older than --retention, "
            + "with their run history and idempotency keys.")
    public static let runsPurged = Metric(
        name: "tock_shard_runs_purged_total", kind: .counter,
        help: "Rows of recurring jobs' run history deleted by retention: finished runs older than --retention, "
            + "and the runs of purged jobs.")
    public static let eventsPublished = Metric(
        name: "tock_shard_events_published_total", kind: .counter,
        help: "Outcome events published to TOCK_EVENTS and deleted from the shard's outbox (by its leader).")
    public static let eventsOutbox = Metric(
        name: "tock_shard_events_outbox", kind: .gauge,
        help: "Outcome events waiting in the shard's outbox to be published (read by the leader; 0 elsewhere).")
    public static let shardMessagesRejected = Metric(
        name: "tock_shard_messages_rejected_total", kind: .counter,
        help: "Messages refused on the job API's NATS subjects (answered with a 4xx, or dropped without a reply "
            + "subject) and on tock.done (terminated), per subject and reason.")
    public static let raftTerm = Metric(name: "tock_raft_term", kind: .gauge, help: "This node's Raft term.")
    public static let raftCommitIndex = Metric(
        name: "tock_raft_commit_index", kind: .gauge, help: "The highest log index this node knows is committed.")
    public static let raftAppliedIndex = Metric(
        name: "tock_raft_applied_index", kind: .gauge,
        help: "The highest log index this node has applied to its job tables.")
    public static let raftLeaderChanges = Metric(
        name: "tock_raft_leader_changes_total", kind: .counter,
        help: "Times this node saw its shard's leader change to another node.")
    public static let raftPeersRefused = Metric(
        name: "tock_shard_raft_peers_refused_total", kind: .counter,
        help: "Raft connections closed by their handshake, either side, per reason: another cluster, shard, secret "
            + "or protocol version, a node that is not a member, a failed TLS handshake, a malformed or unfinished "
            + "handshake, or over the inbound connection limit.")
    public static let raftIsLeader = Metric(
        name: "tock_raft_is_leader", kind: .gauge, help: "1 while this node leads its shard, else 0.")
    public static let raftHasLeader = Metric(
        name: "tock_raft_has_leader", kind: .gauge, help: "1 while this node knows a leader of its shard, else 0.")

    // MARK: Flows, sampled by each shard's leader (label `shard`; per-flow series also `flow`)

    /// How the per-flow series stay few, said in each one's help.
    private static let flowLabelRule =
        " Labelled flow=\"tenant/key\" (or key) for the top --flow-metrics-keys flows (default 20) by runs held "
        + "back, then in flight, at the last sample; every other flow is summed under flow=\"(other)\"."
    public static let flowHeldBack = Metric(
        name: "tock_shard_flow_held_back", kind: .gauge,
        help: "Runs of the flow due and held back by the leader for its rate or concurrency limit or its turn."
            + flowLabelRule)
    public static let flowInFlight = Metric(
        name: "tock_shard_flow_in_flight", kind: .gauge,
        help: "Runs of the flow published and not yet done." + flowLabelRule)
    public static let flowReleased = Metric(
        name: "tock_shard_flow_released_total", kind: .counter,
        help: "Runs of the flow published and committed while it was labelled (a flow that drops out of the top "
            + "loses its series; use tock_shard_flows_released_total for totals)." + flowLabelRule)
    public static let flowsHeldBack = Metric(
        name: "tock_shard_flows_held_back", kind: .gauge,
        help: "Runs of every flow held back by the leader (the sum over all flows, labelled or not).")
    public static let flowsInFlight = Metric(
        name: "tock_shard_flows_in_flight", kind: .gauge,
        help: "Runs of every flow published and not yet done (the sum over all flows).")
    public static let flowsActive = Metric(
        name: "tock_shard_flows_active", kind: .gauge,
        help: "Flows with runs held back or in flight at the last sample (how many the flow label summarises).")
    public static let flowsReleased = Metric(
        name: "tock_shard_flows_released_total", kind: .counter,
        help: "Runs of any flow published and committed by this node as leader.")

    // MARK: JetStream, sampled by each shard's leader (label `shard`, `priority`)

    public static let streamMessages = Metric(
        name: "tock_stream_messages", kind: .gauge, help: "Messages in the priority's job stream (its depth).")
    public static let streamOldestAge = Metric(
        name: "tock_stream_oldest_message_age_seconds", kind: .gauge,
        help: "Age of the oldest message in the priority's job stream; 0 when it is empty.")
    public static let consumerPending = Metric(
        name: "tock_consumer_pending", kind: .gauge,
        help: "Messages the executors' consumer has not yet been delivered.")
    public static let consumerAckPending = Metric(
        name: "tock_consumer_ack_pending", kind: .gauge,
        help: "Messages delivered to executors and not yet acked.")
    public static let consumerRedelivered = Metric(
        name: "tock_consumer_redelivered", kind: .gauge,
        help: "Messages delivered more than once and not yet acked.")

    // MARK: Executors (label `priority`, or `host`)

    public static let runsFetched = Metric(
        name: "tock_executor_runs_fetched_total", kind: .counter, help: "Runs fetched from JetStream.")
    public static let runsSucceeded = Metric(
        name: "tock_executor_runs_succeeded_total", kind: .counter, help: "Runs whose webhook answered 2xx.")
    public static let runsFailed = Metric(
        name: "tock_executor_runs_failed_total", kind: .counter,
        help: "Runs ended failed: refused (4xx) or out of attempts.")
    public static let runsRetried = Metric(
        name: "tock_executor_runs_retried_total", kind: .counter,
        help: "Failed attempts handed back for a later retry.")
    public static let runsDeferred = Metric(
        name: "tock_executor_runs_deferred_total", kind: .counter,
        help: "Deliveries handed back uncalled because the host's circuit breaker was open.")
    public static let egressRefused = Metric(
        name: "tock_executor_egress_refused_total", kind: .counter,
        help: "Webhook attempts the egress guard refused (the run failed without a call), per reason: the class "
            + "of the address (loopback, private, link_local, ...) or invalid_url.")
    public static let executorMessagesRejected = Metric(
        name: "tock_executor_messages_rejected_total", kind: .counter,
        help: "Messages on tock.jobs terminated without a call: unreadable, on the wrong subject, or holding values "
            + "a shard never publishes, per priority and reason.")
    public static let runsInFlight = Metric(
        name: "tock_executor_runs_in_flight", kind: .gauge, help: "Runs being handled now.")
    public static let executorConcurrency = Metric(
        name: "tock_executor_concurrency", kind: .gauge,
        help: "How many webhooks this executor may have in flight at once (its configured concurrency).")
    public static let webhookDuration = Metric(
        name: "tock_executor_webhook_duration_seconds", kind: .histogram,
        help: "Time from sending a webhook request to its answer (or failure).")
    public static let dueToWebhook = Metric(
        name: "tock_executor_due_to_webhook_seconds", kind: .histogram,
        help: "From a run's due time to its first webhook request being sent.")
    public static let circuitOpen = Metric(
        name: "tock_executor_circuit_open", kind: .gauge,
        help: "Per target host: 1 while its circuit breaker is open, 0.5 half-open, 0 closed.")

    public static let all: [Metric] = [
        jobsSubmitted, runsPublished, runsCompleted, dueToPublishLag, runsDueUnpublished, runsChecked, runsLost,
        runsRepublished, jobsPurged, runsPurged, eventsPublished, eventsOutbox, shardMessagesRejected,
        raftTerm, raftCommitIndex, raftAppliedIndex, raftLeaderChanges, raftPeersRefused, raftIsLeader, raftHasLeader,
        flowHeldBack, flowInFlight, flowReleased, flowsHeldBack, flowsInFlight, flowsActive, flowsReleased,
        streamMessages, streamOldestAge, consumerPending, consumerAckPending, consumerRedelivered,
        runsFetched, runsSucceeded, runsFailed, runsRetried, runsDeferred, executorMessagesRejected, egressRefused,
        runsInFlight, executorConcurrency, webhookDuration, dueToWebhook, circuitOpen,
    ]

    private static let helpByName = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0.help) })

    static func help(_ name: String) -> String { helpByName[name] ?? "" }

    /// Scheduling latencies are meant to be milliseconds; the long tail shows a backlog.
    private static let latencyBuckets: [Duration] = [
        .milliseconds(1), .microseconds(2500), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
        .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
    ]
    private static let webhookBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
        .seconds(30),
    ]

    static func durationBuckets(_ name: String) -> [Duration] {
        name == webhookDuration.name ? webhookBuckets : latencyBuckets
    }

    static let valueBuckets: [Double] = [1, 10, 100, 1000, 10000]
}
