import Logging
import TockConcurrency
import TockCore
import TockModel
import TockNATS
import TockSQLite
import TockWire

/// The thin loop around a `DueTimer`: asks it what to do, does each action in a task of its own (SQLite reads,
/// JetStream publishes and look-ups, log proposals), hands every answer back as an event, and sleeps until the
/// timer's next deadline or the next answer. All the decisions — what is due, what to retry and when, which runs
/// JetStream lost — are the timer's; this actor holds the handles and the clock.
actor DuePublisher {
    let shard: UInt32
    let database: DatabaseQueue
    let log: any ReplicatedLog
    let link: NATSLink
    let clock: any WallClock
    let logger: Logger
    let metrics: ShardMetrics
    /// How long a reconciliation pass waits for the completions in `TOCK_DONE` to be committed before it leaves
    /// its lost runs to the next pass.
    let settleWait: Duration
    private var timer: DueTimer
    private let wakeup = Wakeup()
    /// How long the loop sleeps at most before it reads the wall clock again.
    static let longestSleep: Duration = .seconds(1)

    init(
        shard: UInt32, database: DatabaseQueue, log: any ReplicatedLog, link: NATSLink, clock: any WallClock,
        logger: Logger, metrics: ShardMetrics, window: DueWindow, settings: DueTimer.Settings = .init(),
        settleWait: Duration = .seconds(5)
    ) {
        self.shard = shard
        self.database = database
        self.log = log
        self.link = link
        self.clock = clock
        self.logger = logger
        self.metrics = metrics
        self.settleWait = settleWait
        timer = DueTimer(window: window, settings: settings)
    }

    /// Runs held in memory now.
    var pendingCount: Int { timer.held }

    /// Newly committed scheduled runs. Those beyond the window's horizon are left to a later scan.
    func schedule(_ entries: [DueEntry]) {
        deliver(.scheduled(entries))
    }

    /// Runs whose completions were committed as done (by run key): their flows' slots free up.
    func finished(_ runKeys: [String]) {
        deliver(.finished(runKeys))
    }

    /// The flows the gate knows now.
    var flows: [FlowGateView] { timer.gate.snapshot() }

    /// Runs until the task is cancelled; the actions under way are cancelled with it.
    func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.watchReconnects() }
            while !Task.isCancelled {
                let now = clock.nowNs()
                let actions = timer.poll(nowNs: now)
                for action in actions {
                    group.addTask {
                        guard let event = await self.perform(action) else { return }
                        await self.deliver(event)
                    }
                }
                // With nothing started, a deadline already past must not spin the loop. A wall-clock deadline is
                // slept towards a second at a time: the wall clock may step (NTP, a VM restored), and a run due
                // when it steps forward must not wait out a sleep measured on the old time.
                let floor: Duration = actions.isEmpty ? .milliseconds(1) : .zero
                let untilNext = timer.wakeAtNs.map { Duration.nanoseconds(max(0, $0.saturatingSubtracting(now))) }
                await wakeup.wait(timeout: max(floor, min(untilNext ?? Self.longestSleep, Self.longestSleep)))
            }
            group.cancelAll()
        }
    }

    private func deliver(_ event: DueTimerEvent) {
        timer.handle(event, nowNs: clock.nowNs())
        wakeup.signal()
    }

    /// Tells the timer when cnats reconnected, which it notices only by asking.
    private nonisolated func watchReconnects() async {
        var reconnects: UInt64?
        while !Task.isCancelled {
            if let seen = (try? await link.jetStream())?.connection.reconnects {
                if let reconnects, seen != reconnects {
                    logger.info("NATS reconnected: checking published runs against the job streams")
                    await deliver(.brokerReconnected)
                }
                reconnects = seen
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// Does one action and returns its answer; nil when cancelled (the timer is going away).
    private nonisolated func perform(_ action: DueTimerAction) async -> DueTimerEvent? {
        switch action {
        case .scan(let scan): return await read(scan)
        case .load(let due): return await load(due)
        case .publish(let runs, let atNs): return await publish(runs, atNs: atNs)
        case .commit(let acks): return await commit(acks)
        case .skip(let skip, let atNs): return await commitSkip(skip, atNs: atNs)
        case .readOverdue(let scans): return await readOverdue(scans)
        case .lookUp(let runs): return await lookUp(runs)
        case .awaitCompletions: return .completionsSettled(await completionsSettled())
        case .republish(let runs):
            await republish(runs)
            return .republishAnswered
        case .readFlows(let reads): return await readFlows(reads)
        }
    }

    private nonisolated func read(_ scan: DueWindow.Scan) async -> DueTimerEvent {
        do {
            let rows = try await database.read { try ScheduledRunScan.rows(scan, in: $0) }
            logger.log(
                level: scan.from == .lowest ? .info : .debug, "due-timer window filled",
                metadata: ["read": "\(rows.count)", "until": "\(scan.untilNs)"])
            return .scanned(scan, rows: rows)
        } catch {
            logger.error("cannot scan scheduled runs; will retry", metadata: ["error": "\(error)"])
            return .scanFailed(scan)
        }
    }

    private nonisolated func load(_ due: [DueEntry]) async -> DueTimerEvent {
        do {
            let jobs = try await database.read { db in
                try due.compactMap { entry -> DueCandidate? in
                    guard let job = try JobRows.find(id: entry.jobID, in: db),
                        job.state == .scheduled, job.run == entry.run, !job.paused
                    else { return nil }
                    guard let schedule = job.schedule, schedule.overlap != .allow else {
                        return DueCandidate(job: job, previousRunOut: false)
                    }
                    let out =
                        try db
                        .statement("SELECT 1 FROM job_runs WHERE job_id = ? AND finished_at IS NULL LIMIT 1")
                        .first(job.id) { _ in true } ?? false
                    return DueCandidate(job: job, previousRunOut: out)
                }
            }
            return .loaded(due, jobs: jobs)
        } catch {
            logger.error("cannot read due runs", metadata: ["error": "\(error)"])
            return .loadFailed(due)
        }
    }

    private nonisolated func publish(_ runs: [DueRun], atNs publishedAt: Int64) async -> DueTimerEvent? {
        let failedAll = runs.map(\.job.dueEntry)
        guard let js = try? await link.jetStream() else { return .published(acked: [], failed: failedAll) }
        let shard = self.shard
        let outcomes = await withTaskGroup(of: (DueRun, Result<PubAck, any Error>).self) { group in
            for run in runs {
                group.addTask {
                    let job = run.job
                    let result = await Result {
                        try await js.publish(
                            subject: Subjects.jobs(priority: job.priority, shard: shard),
                            payload: job.jobRun(publishedAtNs: publishedAt).encoded(),
                            msgID: Subjects.runMessageID(jobID: job.id, run: job.run))
                    }
                    return (run, result)
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let ackedAt = clock.nowNs()
        var acked: [PublishAck] = []
        var failed: [DueEntry] = []
        for (run, result) in outcomes {
            let job = run.job
            switch result {
            case .success(let ack):
                acked.append(
                    PublishAck(
                        run: PublishedRun(
                            jobID: job.id, run: job.run, streamSequence: ack.sequence,
                            publishedAtNs: publishedAt, nextDueAtNs: run.nextDueAtNs),
                        priority: job.priority, lane: job.dueLane, dueAtNs: job.dueAtNs, ackedAtNs: ackedAt))
                logger.debug(
                    "run published",
                    metadata: [
                        "job": "\(job.id)", "run": "\(job.run)", "priority": "\(job.priority.rawValue)",
                        "stream_sequence": "\(ack.sequence)",
                        "late_ms": "\(max(0, ackedAt.saturatingSubtracting(job.dueAtNs)) / 1_000_000)",
                    ])
            case .failure(let error):
                logger.warning(
                    "publish failed; will retry",
                    metadata: ["job": "\(job.id)", "run": "\(job.run)", "error": "\(error)"])
                failed.append(job.dueEntry)
            }
        }
        return .published(acked: acked, failed: failed)
    }

    private nonisolated func commit(_ acks: [PublishAck]) async -> DueTimerEvent {
        do {
            _ = try await log.propose(.markPublished(acks.map(\.run)))
            // Counted once committed: a run whose commit fails is published and counted again.
            for ack in acks { metrics.published([(ack.priority, ack.dueAtNs)], ackedAtNs: ack.ackedAtNs) }
            metrics.flows.released(acks.compactMap(\.lane.flow))
            return .commitAnswered(acks, committed: true)
        } catch {
            logger.error("cannot commit published runs; they will be republished", metadata: ["error": "\(error)"])
            return .commitAnswered(acks, committed: false)
        }
    }

    private nonisolated func readFlows(_ reads: [FlowGate.Read]) async -> DueTimerEvent {
        do {
            return .flowsRead(
                try await database.read { db in
                    try reads.map { read in
                        FlowGate.Reading(
                            flow: read.flow, limits: try FlowRows.find(read.flow, in: db)?.limits ?? .unlimited,
                            openRuns: read.openRuns ? try FlowRuns.open(read.flow, in: db) : nil)
                    }
                })
        } catch {
            logger.error("cannot read flows; will retry", metadata: ["error": "\(error)"])
            return .flowsReadFailed(reads.map(\.flow))
        }
    }

    private nonisolated func commitSkip(_ skip: RecurrencePlan.Skip, atNs: Int64) async -> DueTimerEvent {
        do {
            _ = try await log.propose(
                .skipRun(
                    jobID: skip.job.id, run: skip.job.run, nextDueAtNs: skip.next,
                    atNs: atNs, reason: skip.reason))
            return .skipAnswered(skip, committed: true)
        } catch {
            logger.warning(
                "cannot commit a skipped run; will retry",
                metadata: ["job": "\(skip.job.id)", "run": "\(skip.job.run)", "error": "\(error)"])
            return .skipAnswered(skip, committed: false)
        }
    }
}
