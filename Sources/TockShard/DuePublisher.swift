import Logging
import TockCore
import TockNATS
import TockSQLite
import TockWire

/// The leader's due-timer: holds the scheduled runs due soon in a `DueQueue`, sleeps until the next one is due (or
/// a sooner one arrives), publishes due runs to JetStream with pipelined asynchronous publishes, and commits each
/// PubAck as "published" (DESIGN.md invariant 2). A run that cannot be published stays scheduled and is retried; a
/// run published but not yet committed is republished with the same Nats-Msg-Id, which JetStream drops.
///
/// Only runs inside a `DueWindow` (due before a horizon a few minutes ahead, at most a bounded number) are held in
/// memory; index scans of the job tables refill it as the horizon approaches, so memory does not grow with the
/// number of jobs and a new leader starts with one short scan instead of loading every scheduled run.
actor DuePublisher {
    private let shard: UInt32
    private let database: DatabaseQueue
    private let log: any ReplicatedLog
    private let link: NATSLink
    private let clock: any WallClock
    private let logger: Logger
    private let metrics: ShardMetrics
    private let batchLimit: Int
    private let misfireThresholdNs: Int64
    private var queue = DueQueue()
    private var window: DueWindow
    private let wakeup = Wakeup()
    private var failureDelay: Duration = .zero
    /// After a scan failed, the next waits until then, so a broken database is not scanned in a busy loop.
    private var scanRetryNs: Int64 = .min
    private var scans = 0
    /// Runs published whose "published" commit is still under way (`run/job` message ids). The loop publishes the
    /// next due runs meanwhile instead of waiting a log round per batch; a scan that reads one of these (still
    /// `scheduled` in the table) must not bring it back.
    private var committing = Set<String>()
    /// Signalled when a commit ends, for a loop that waits because too many are under way.
    private let committed = Wakeup()
    private var maxCommitting: Int { 8 * batchLimit }

    init(shard: UInt32, database: DatabaseQueue, log: any ReplicatedLog, link: NATSLink, clock: any WallClock,
         logger: Logger, metrics: ShardMetrics, window: DueWindow, batchLimit: Int = 1024,
         misfireThresholdNs: Int64 = RecurrencePlan.defaultMisfireThresholdNs)
    {
        self.metrics = metrics
        self.misfireThresholdNs = misfireThresholdNs
        self.shard = shard
        self.database = database
        self.log = log
        self.link = link
        self.clock = clock
        self.logger = logger
        self.window = window
        self.batchLimit = batchLimit
    }

    /// Runs held in memory now.
    var pendingCount: Int { queue.count }

    /// Newly committed scheduled runs. Those beyond the window's horizon are left to a later scan.
    func schedule(_ entries: [DueEntry]) {
        var admitted: [DueEntry] = []
        for entry in entries where window.admit(entry.key, held: queue.count + admitted.count) {
            admitted.append(entry)
        }
        hold(admitted)
    }

    /// Puts runs in the heap whatever the window: runs this publisher took out and must retry. Their rows may lie
    /// below the horizon, where no scan will look again.
    private func hold(_ entries: some Collection<DueEntry>) {
        let before = queue.nextDueNs
        for entry in entries where !committing.contains(Subjects.runMessageID(jobID: entry.jobID, run: entry.run)) {
            queue.insert(entry)
        }
        if let next = queue.nextDueNs, before.map({ next < $0 }) ?? true { wakeup.signal() }
    }

    /// Reads the window's next page of scheduled runs, if it is time to.
    private func refill(nowNs: Int64) async {
        guard nowNs >= scanRetryNs, let scan = window.nextScan(nowNs: nowNs, held: queue.count) else { return }
        let rows: [DueEntry]
        do {
            rows = try await database.read { try ScheduledRunScan.rows(scan, in: $0) }
        } catch {
            window.abandon(scan)
            scanRetryNs = clock.nowNs() + 1_000_000_000
            logger.error("cannot scan scheduled runs; will retry", metadata: ["error": "\(error)"])
            return
        }
        let held = window.finish(scan, rows: rows, held: queue.count)
        hold(held)
        scans += 1
        logger.log(level: scans == 1 ? .info : .debug, "due-timer window filled", metadata: [
            "read": "\(rows.count)", "held": "\(queue.count)", "horizon": "\(window.horizon)",
        ])
    }

    /// Runs until the task is cancelled.
    func run() async {
        while !Task.isCancelled {
            await refill(nowNs: clock.nowNs())
            let now = clock.nowNs()
            let due = queue.popDue(nowNs: now, limit: batchLimit)
            if due.isEmpty {
                let scanAt = window.nextScanNs(held: queue.count).map { max($0, scanRetryNs) }
                let wakeAt = [queue.nextDueNs, scanAt].compactMap { $0 }.min()
                let untilNext = wakeAt.map { Duration.nanoseconds(max(0, $0 - now)) } ?? .seconds(60)
                await wakeup.wait(timeout: min(untilNext, .seconds(60)))
                continue
            }
            await publish(due)
            while committing.count >= maxCommitting, !Task.isCancelled {
                await committed.wait(timeout: .seconds(1))
            }
        }
    }

    private func publish(_ due: [DueEntry]) async {
        // A run may be held twice (a scan and a commit both brought it); publish it once.
        var seen = committing
        let due = due.filter { seen.insert(Subjects.runMessageID(jobID: $0.jobID, run: $0.run)).inserted }
        let js: JetStream
        do {
            js = try await link.jetStream()
        } catch {
            requeue(due, failed: true)
            return
        }
        let candidates: [(job: Job, previousRunOut: Bool)]
        do {
            candidates = try await database.read { db in
                try due.compactMap { entry in
                    guard let job = try JobRows.find(id: entry.jobID, in: db),
                          job.state == .scheduled, job.run == entry.run, !job.paused else { return nil }
                    guard let schedule = job.schedule, schedule.overlap != .allow else { return (job, false) }
                    let out = try db.statement("SELECT 1 FROM job_runs WHERE job_id = ? AND finished_at IS NULL LIMIT 1")
                        .first(job.id) { _ in true } ?? false
                    return (job, out)
                }
            }
        } catch {
            logger.error("cannot read due runs", metadata: ["error": "\(error)"])
            requeue(due, failed: true)
            return
        }
        let publishedAt = clock.nowNs()
        let plan = RecurrencePlan(candidates, nowNs: publishedAt, misfireThresholdNs: misfireThresholdNs)
        await skip(plan.skipped, at: publishedAt)
        if !plan.waiting.isEmpty {
            // The previous run is still out; look again shortly (a completion does not wake the timer).
            hold(plan.waiting.map { DueEntry(dueAtNs: publishedAt + 1_000_000_000, jobID: $0.id, run: $0.run) })
        }
        let jobs = plan.publish
        let shard = self.shard
        let outcomes = await withTaskGroup(of: ((job: Job, next: Int64?), Result<PubAck, any Error>).self) { group in
            for job in jobs {
                group.addTask {
                    let result = await Result {
                        try await js.publish(
                            subject: Subjects.jobs(priority: job.job.priority, shard: shard),
                            payload: job.job.jobRun(publishedAtNs: publishedAt).encoded(),
                            msgID: Subjects.runMessageID(jobID: job.job.id, run: job.job.run))
                    }
                    return (job, result)
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let ackedAt = clock.nowNs()
        var published: [PublishedRun] = []
        var publishedJobs: [(priority: Priority, dueAtNs: Int64)] = []
        var failed: [DueEntry] = []
        for ((job, next), result) in outcomes {
            switch result {
            case .success(let ack):
                published.append(PublishedRun(jobID: job.id, run: job.run, streamSequence: ack.sequence,
                                              publishedAtNs: publishedAt, nextDueAtNs: next))
                publishedJobs.append((job.priority, job.dueAtNs))
                logger.debug("run published", metadata: [
                    "job": "\(job.id)", "run": "\(job.run)", "priority": "\(job.priority.rawValue)",
                    "stream_sequence": "\(ack.sequence)", "late_ms": "\(max(0, ackedAt.saturatingSubtracting(job.dueAtNs)) / 1_000_000)",
                ])
            case .failure(let error):
                logger.warning("publish failed; will retry",
                               metadata: ["job": "\(job.id)", "run": "\(job.run)", "error": "\(error)"])
                failed.append(DueEntry(dueAtNs: job.dueAtNs, jobID: job.id, run: job.run))
            }
        }
        if !published.isEmpty {
            let keys = published.map { Subjects.runMessageID(jobID: $0.jobID, run: $0.run) }
            committing.formUnion(keys)
            Task { await self.commit(published, keys: keys, publishedJobs, ackedAtNs: ackedAt) }
        }
        requeue(failed, failed: !failed.isEmpty)
    }

    /// Commits runs JetStream has acked as published; those that cannot be committed are published again (with
    /// the same message id, which JetStream drops) and committed then.
    private func commit(_ published: [PublishedRun], keys: [String], _ publishedJobs: [(priority: Priority, dueAtNs: Int64)],
                        ackedAtNs: Int64) async
    {
        do {
            _ = try await log.propose(.markPublished(published))
            committing.subtract(keys)
            committed.signal()
            metrics.published(publishedJobs, ackedAtNs: ackedAtNs)
        } catch {
            committing.subtract(keys)
            committed.signal()
            logger.error("cannot commit published runs; they will be republished", metadata: ["error": "\(error)"])
            requeue(published.map { DueEntry(dueAtNs: $0.publishedAtNs, jobID: $0.jobID, run: $0.run) }, failed: true)
        }
    }

    /// Commits the runs the plan skips; a run whose skip cannot be committed comes due again at once.
    private func skip(_ runs: [RecurrencePlan.Skip], at nowNs: Int64) async {
        for run in runs {
            do {
                _ = try await log.propose(.skipRun(jobID: run.job.id, run: run.job.run, nextDueAtNs: run.next,
                                                   atNs: nowNs, reason: run.reason))
            } catch {
                logger.warning("cannot commit a skipped run; will retry",
                               metadata: ["job": "\(run.job.id)", "run": "\(run.job.run)", "error": "\(error)"])
                requeue([DueEntry(dueAtNs: run.job.dueAtNs, jobID: run.job.id, run: run.job.run)], failed: true)
            }
        }
    }

    /// Puts runs back after a failure, with a growing delay (250 ms doubling to 5 s) so a broker outage is
    /// retried steadily without a busy loop.
    private func requeue(_ entries: [DueEntry], failed: Bool) {
        guard failed else {
            failureDelay = .zero
            return
        }
        failureDelay = failureDelay == .zero ? .milliseconds(250) : min(failureDelay * 2, .seconds(5))
        let retryAt = clock.nowNs() + failureDelay.nanoseconds
        hold(entries.map { DueEntry(dueAtNs: max($0.dueAtNs, retryAt), jobID: $0.jobID, run: $0.run) })
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
