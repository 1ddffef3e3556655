import Foundation
import Logging
import Synchronization
import TockCore
import TockModel
import TockNATS
import TockSQLite
import TockWire

/// One node of one shard: the job tables, the log that changes them, and — as leader — the due-timer
/// that publishes runs and the consumer that records their completions. It never runs a job itself.
public final class ShardNode: Sendable {
    public let configuration: ShardConfiguration
    let database: DatabaseQueue
    let log: RaftDriver
    let duties: LeaderDuties
    let link: NATSLink
    public let clock: any WallClock
    /// What `/metrics` exports.
    public let metrics: ShardMetrics
    /// The executors this node has heard from lately (the dashboard's overview).
    public let executors = ExecutorRoster()
    /// The subscription `executors` hears through, kept for as long as the node runs (a dropped one unsubscribes).
    private let heartbeats = Mutex<NATSService?>(nil)
    private let logger: Logger

    public init(configuration: ShardConfiguration, clock: any WallClock = SystemWallClock(), logger: Logger)
        async throws
    {
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        guard configuration.dueWindow > .zero, configuration.dueWindowCapacity >= 2 else {
            throw ShardConfigurationError("the due window needs a positive span and a capacity of at least 2")
        }
        try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        let database = try DatabaseQueue(path: configuration.databasePath)
        try database.syncWrite { try ShardSchema.migrate($0) }
        self.database = database
        // The leader's duties only read, and on their own connection they read the last commit without queueing
        // behind the Raft loop's next write and its fsync (WAL lets readers and the writer run at once): a run
        // due at once reached JetStream a whole transaction later before.
        let dutiesDatabase = try DatabaseQueue(path: configuration.databasePath)
        let metrics = ShardMetrics(shard: configuration.shard, flowKeys: configuration.flowMetricsKeys)
        let log = try RaftDriver(
            configuration: configuration.cluster, database: database,
            stateMachine: JobStateMachine(shard: configuration.shard), logger: logger,
            shard: configuration.shard, onPeerRefused: { metrics.raftPeerRefused($0) })
        self.log = log
        let link = NATSLink(
            url: configuration.natsURL, security: configuration.natsSecurity,
            name: "tock-shard-\(configuration.shard)-\(configuration.cluster.nodeID)", logger: logger)
        self.link = link
        self.metrics = metrics
        let duties = LeaderDuties(
            makePublisher: {
                DuePublisher(
                    shard: configuration.shard, database: dutiesDatabase, log: log, link: link, clock: clock,
                    logger: logger, metrics: metrics,
                    window: DueWindow(
                        span: configuration.dueWindow,
                        capacity: configuration.dueWindowCapacity),
                    settings: DueTimer.Settings(
                        batchLimit: configuration.publishBatch,
                        misfireThresholdNs: configuration.misfireThreshold.nanoseconds,
                        reconcileIntervalNs: configuration.reconcileInterval.nanoseconds,
                        lostRuns: LostRunPolicy(
                            minimumAgeNs: configuration.lostRunAfter.nanoseconds,
                            queues: configuration.queues)))
            },
            makeOutcomePublisher: {
                OutcomePublisher(
                    shard: configuration.shard, database: dutiesDatabase, log: log, link: link,
                    logger: logger, metrics: metrics)
            },
            completions: CompletionConsumer(
                shard: configuration.shard, log: log, link: link, clock: clock,
                logger: logger, metrics: metrics),
            sampler: QueueSampler(
                database: dutiesDatabase, link: link, clock: clock, metrics: metrics,
                interval: configuration.queueSampleInterval, logger: logger),
            makePurger: {
                RetentionPurger(
                    database: dutiesDatabase, log: log, clock: clock, logger: logger, metrics: metrics,
                    policy: RetentionPolicy(
                        retentionNs: configuration.retention.nanoseconds,
                        batch: configuration.retentionBatch,
                        interval: configuration.retentionInterval))
            },
            logger: logger)
        if let warning = configuration.retentionWarning { logger.warning("\(warning)") }
        self.duties = duties
        log.setHandlers(
            applied: { results in
                let due = results.flatMap(\.newlyDue)
                if !due.isEmpty { await duties.schedule(due) }
            },
            leadership: { duties.leadershipChanged($0) },
            status: { metrics.observe($0) })
    }

    /// Stores a validated job under a new id. Returns `.created` or, for a repeated idempotency key, `.existing`,
    /// only after the create command is committed.
    /// The key dedupes for `configuration.idempotencyRetention` after its job's creation; the leader writes that
    /// into the command, so every replica (and every later leader) expires keys alike.
    public func submit(_ spec: JobSpec) async throws -> ApplyResult {
        let now = clock.nowNs()
        var spec = spec
        spec.id = JobID.make(shard: configuration.shard, nowNs: now)
        let result = try await log.propose(
            .createJob(
                spec, createdAtNs: now,
                idempotencyRetentionNs: idempotencyRetentionNs))
        created(result)
        return result
    }

    /// Stores validated jobs under new ids with one log entry, in order. Returns `.batch` with each job's
    /// `.created` or `.existing` (a key seen before, or earlier in the same batch), only after the entry is
    /// committed.
    public func submit(batch specs: [JobSpec]) async throws -> ApplyResult {
        let now = clock.nowNs()
        let specs = specs.map { spec in
            var spec = spec
            spec.id = JobID.make(shard: configuration.shard, nowNs: now)
            return spec
        }
        let result = try await log.propose(
            .createJobs(
                specs, createdAtNs: now,
                idempotencyRetentionNs: idempotencyRetentionNs))
        created(result)
        return result
    }

    /// Counts and logs the jobs a committed submit created.
    private func created(_ result: ApplyResult) {
        metrics.submitted(result)
        switch result {
        case .created(let job):
            logger.debug(
                "job created",
                metadata: [
                    "job": "\(job.id)", "run": "\(job.run)", "priority": "\(job.priority.rawValue)",
                    "due_at": "\(RFC3339.format(ns: job.dueAtNs))",
                ])
        case .batch(let results): results.forEach(created)
        default: break
        }
    }

    /// nil (keys kept forever) for a zero retention, as in the command.
    private var idempotencyRetentionNs: Int64? {
        let ns = configuration.idempotencyRetention.nanoseconds
        return ns > 0 ? ns : nil
    }

    /// The node's wall clock, so requests are validated against the same time the node schedules by.
    public func nowNs() -> Int64 { clock.nowNs() }

    /// A linearizable read: the leader first confirms it still leads and has applied everything committed.
    public func job(id: String) async throws -> Job? {
        try await log.readBarrier()
        return try await database.read { try JobRows.find(id: id, in: $0) }
    }

    /// The job `tenant` submitted with `key`, read linearizably.
    public func job(idempotencyKey key: String, tenant: String = "") async throws -> Job? {
        try await log.readBarrier()
        return try await database.read { try JobRows.find(idempotencyKey: key, tenant: tenant, in: $0) }
    }

    /// Stops a recurring job publishing runs: `.changed`, `.notFound`, or `.conflict` for a job without runs
    /// left to pause.
    public func pause(id: String) async throws -> ApplyResult {
        try await log.propose(.pauseJob(jobID: id, atNs: clock.nowNs()))
    }

    /// Resumes a paused recurring job at its first occurrence from now (missed ones are not caught up).
    public func resume(id: String) async throws -> ApplyResult {
        guard let job = try await job(id: id) else { return .notFound }
        guard let schedule = job.schedule, job.state == .scheduled else { return .conflict(job) }
        let now = clock.nowNs()
        return try await log.propose(
            .resumeJob(jobID: id, nextDueAtNs: Recurrence.next(schedule, after: now), atNs: now))
    }

    /// A page of a job's runs, oldest first: for a recurring job those published, skipped or done so far; for a
    /// one-time job its single run.
    public func runs(of id: String, _ page: RunsPage = .init()) async throws -> (Job, [JobRunRecord])? {
        try await log.readBarrier()
        return try await database.read { db in
            guard let job = try JobRows.find(id: id, in: db) else { return nil }
            return (job, try JobRunRecord.page(of: job, page, in: db))
        }
    }

    /// `.cancelled`, `.notFound`, or `.conflict` for a job that already finished.
    public func cancel(id: String) async throws -> ApplyResult {
        try await log.propose(.cancelJob(jobID: id, atNs: clock.nowNs()))
    }

    /// Runs the node's Raft group membership — and, while it leads, the due-timer and the completion consumer —
    /// until the task is cancelled, then closes NATS. Throws if the node cannot write its disk.
    public func run() async throws {
        defer { duties.stop() }
        // Followers connect too, so `/readyz` tells of NATS before the node leads, and a new leader starts at once.
        let link = self.link
        let executors = self.executors
        let queue = "tock-roster-\(configuration.shard)-\(configuration.cluster.nodeID)-\(UUID().uuidString)"
        Task { [self] in
            _ = try? await link.jetStream()
            // A queue group of its own, so every node hears every heartbeat.
            let service = try? await link.serve(subject: Subjects.executorHeartbeats, queue: queue, maxConcurrent: 16) {
                executors.hear($0.data)
                return NATSReply()
            }
            self.heartbeats.withLock { $0 = service }
        }
        do {
            try await log.run()
        } catch {
            await link.close()
            throw error
        }
        duties.stop()
        await link.close()
    }

    /// What this node knows of its Raft group.
    public var cluster: ClusterStatus { log.status }

    /// Whether this node believes it leads; a request it then serves still fails with `notLeader` if it has been
    /// deposed meanwhile.
    public var isLeader: Bool {
        let status = log.status
        return status.leader == status.node
    }

    /// The node's status once some node leads, or nil if none does within `timeout` (e.g. during an election).
    public func waitForLeader(timeout: Duration) async -> ClusterStatus? {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            let status = log.status
            if status.leader != nil { return status }
            guard ContinuousClock.now < deadline else { return nil }
            // Leadership is decided in ticks, so checking once per tick loses nothing.
            try? await Task.sleep(for: configuration.cluster.tick)
            if Task.isCancelled { return nil }
        }
    }

    /// The HTTP API address of a node of this shard's group, if known.
    public func httpAddress(of node: String) -> HostPort? {
        node == configuration.cluster.nodeID
            ? configuration.httpAddress : log.httpAddress(of: node)
    }

    /// The Raft address of a node of this shard's group, if known: none for a group of one started without
    /// `--peers`, which has no Raft listener.
    public func raftAddress(of node: String) -> HostPort? { log.raftAddress(of: node) }

    /// Adds a node to the group (this node must lead): records its addresses in the log, adds it as a learner,
    /// waits up to `catchUp` for it to hold the log, then makes it a voter. The node must already run, started
    /// with `--join`.
    public func addNode(_ node: String, raft: HostPort, http: HostPort, catchUp: Duration = .seconds(60))
        async throws -> ClusterStatus
    {
        // Without --peers the node has no Raft listener: a learner could never catch up, and would stay in the
        // membership after the wait below ran out.
        guard !configuration.cluster.peers.isEmpty else {
            throw RaftDriverError.membershipChangeRefused(
                "this shard was started without --peers, so it has no Raft "
                    + "listener and cannot grow; restart it with --peers \(configuration.cluster.nodeID)=HOST:PORT")
        }
        guard !log.status.voters.contains(node) else {
            throw RaftDriverError.membershipChangeRefused("\(node) is already a voter")
        }
        _ = try await log.propose(.setNodeAddress(node: node, raft: raft.description, http: http.description))
        try await log.snapshotNow()
        if !log.status.learners.contains(node) { try await log.changeMembership(.addLearner(node)) }
        let target = log.status.commitIndex
        let deadline = ContinuousClock.now.advanced(by: catchUp)
        while (try await log.matchIndex(of: node) ?? 0) < target {
            guard ContinuousClock.now < deadline else {
                throw RaftDriverError.membershipChangeRefused(
                    "\(node) stays a learner: it did not catch up within \(catchUp); is it running with --join and "
                        + "reachable at \(raft)?")
            }
            try await Task.sleep(for: configuration.cluster.tick)
        }
        try await log.changeMembership(.promote(node))
        return log.status
    }

    /// Removes a node (voter or learner) from the group; this node must lead. A leader that removes itself steps
    /// down once the removal is committed.
    public func removeNode(_ node: String) async throws -> ClusterStatus {
        try await log.changeMembership(.remove(node))
        return log.status
    }

    /// Hands leadership to another voter (this node must lead); see `tock shard transfer-leader`.
    public func transferLeadership(to target: String) async throws {
        try await log.transferLeadership(to: target)
    }

    /// How many scheduled runs the leader's due-timer holds in memory (nil on a follower): at most about
    /// `dueWindowCapacity`, however many jobs the shard has.
    public func dueTimerHeld() async -> Int? { await duties.dueTimerHeld() }

    /// Completions terminated as malformed since start (by this node, while it led).
    public var malformedCompletions: Int { duties.malformedCompletions }
}

extension ShardNode {
    /// Runs due now and not yet committed as published (this node's copy of the job tables).
    public func runsDueUnpublished() async throws -> Int {
        let now = clock.nowNs()
        return try await database.read { try ScheduledRunScan.dueUnpublished(nowNs: now, in: $0) }
    }

    /// How many jobs are in each state; only `tenant`'s when it is given (`JobCounts`).
    public func jobCounts(tenant: String? = nil) async throws -> [JobState: Int] {
        try await database.read { try JobCounts.byState(tenant: tenant, in: $0) }
    }
}
