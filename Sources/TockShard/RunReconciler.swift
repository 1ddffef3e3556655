import Logging
import TockCore
import TockNATS
import TockSQLite
import TockWire

/// The leader's reconciliation (DESIGN.md invariant 5: the shard is the system of record): finds runs that are
/// published but overdue (`LostRunPolicy`), looks each up in its job stream by the sequence the shard stored,
/// and publishes again those whose message JetStream no longer holds — purged, discarded by a limit, or lost
/// with a server that crashed before syncing — once no completion for them is waiting (`LostRunPolicy`). A run
/// published again keeps its run number, its attempts budget and its idempotency key; its new stream sequence is
/// committed with `markPublished` like a first publish. Runs still in the stream are left alone.
///
/// A pass runs when the node starts leading, every `interval`, and at once after the NATS connection was
/// re-established (the server may have come back with an empty store). Each pass reads at most `batch` runs of
/// each table, oldest publish first, going on from where the last pass stopped and starting over at the end, so
/// a backlog of overdue runs costs a bounded amount per pass and a shard with none reads nothing.
actor RunReconciler {
    private let shard: UInt32
    private let database: DatabaseQueue
    private let log: any ReplicatedLog
    private let link: NATSLink
    private let clock: any WallClock
    private let logger: Logger
    private let metrics: ShardMetrics
    private let interval: Duration
    /// How long a pass waits for the completions in `TOCK_DONE` to be committed before it leaves its lost runs
    /// to the next pass.
    private let settleWait: Duration
    private var sweep: LostRunSweep

    init(shard: UInt32, database: DatabaseQueue, log: any ReplicatedLog, link: NATSLink, clock: any WallClock,
         logger: Logger, metrics: ShardMetrics, policy: LostRunPolicy, interval: Duration, batch: Int = 256,
         settleWait: Duration = .seconds(5))
    {
        self.shard = shard
        self.database = database
        self.log = log
        self.link = link
        self.clock = clock
        self.logger = logger
        self.metrics = metrics
        self.interval = interval
        sweep = LostRunSweep(policy: policy, batch: batch)
        self.settleWait = settleWait
    }

    /// Runs until the task is cancelled.
    func run() async {
        var reconnects: UInt64?
        var nextPass = ContinuousClock.now
        while !Task.isCancelled {
            let seen = (try? await link.jetStream())?.connection.reconnects
            let reconnected = seen != nil && reconnects != nil && seen != reconnects
            if seen != nil { reconnects = seen }
            if reconnected || ContinuousClock.now >= nextPass {
                if reconnected { logger.info("NATS reconnected: checking published runs against the job streams") }
                await pass()
                nextPass = ContinuousClock.now + interval
            }
            try? await Task.sleep(for: min(.seconds(1), max(.milliseconds(10), nextPass - ContinuousClock.now)))
        }
    }

    /// One pass: read, look up, settle, republish.
    func pass() async {
        let js: JetStream
        do {
            js = try await link.jetStream()
        } catch {
            return
        }
        let nowNs = clock.nowNs()
        let overdue: [PublishedRunRow]
        do {
            overdue = try await readOverdue(nowNs: nowNs)
        } catch {
            logger.error("reconciliation: cannot read published runs; will retry", metadata: ["error": "\(error)"])
            return
        }
        var checked = 0
        for run in overdue {
            do {
                let stored = try await js.storedMessage(stream: Subjects.jobsStream(priority: run.priority),
                                                        sequence: run.streamSequence)
                checked += 1
                sweep.answered(run, stored: stored)
            } catch is CancellationError {
                return
            } catch {
                // A missing stream or an unreachable server says nothing about the run; the next pass asks again.
                logger.warning("reconciliation: cannot look a run up in its stream; will retry", metadata: [
                    "job": "\(run.jobID)", "run": "\(run.run)", "stream_sequence": "\(run.streamSequence)",
                    "error": "\(error)",
                ])
                sweep.lookUpFailed()
                break
            }
        }
        metrics.reconciled(checked: checked, lost: 0)
        guard !sweep.suspects.isEmpty else { return }
        guard await completionsSettled(js) else {
            logger.info("reconciliation: runs not in their stream wait for pending completions",
                        metadata: ["runs": "\(sweep.suspects.count)"])
            return
        }
        let candidates = sweep.takeSuspects()
        let lost: [PublishedRunRow]
        do {
            lost = try await database.read { db in try candidates.compactMap { try PublishedRunScan.current($0, in: db) } }
        } catch {
            logger.error("reconciliation: cannot re-read lost runs; will retry", metadata: ["error": "\(error)"])
            return
        }
        metrics.reconciled(checked: 0, lost: lost.count)
        if !lost.isEmpty { await republish(lost, js: js) }
    }

    /// The next page of each table's runs published before the minimum age, those overdue among them.
    private func readOverdue(nowNs: Int64) async throws -> [PublishedRunRow] {
        let scans = sweep.scans(nowNs: nowNs)
        let pages = try await database.read { db in
            try scans.map { scan in
                (scan, try PublishedRunScan.rows(recurring: scan.recurring, beforeNs: scan.beforeNs, after: scan.after,
                                                 limit: scan.limit, in: db))
            }
        }
        return sweep.read(pages, nowNs: nowNs)
    }

    /// Whether every completion waiting in `TOCK_DONE` now has been committed, waiting up to `settleWait`.
    private func completionsSettled(_ js: JetStream) async -> Bool {
        let deadline = ContinuousClock.now + settleWait
        while !Task.isCancelled {
            do {
                let (done, consumer) = try await js.state(stream: Subjects.doneStream,
                                                          consumer: Subjects.doneConsumer(shard: shard))
                if LostRunPolicy.completionsSettled(doneLastSequence: done.lastSequence, consumer: consumer) {
                    return true
                }
            } catch {
                logger.debug("reconciliation: cannot read the completions consumer", metadata: ["error": "\(error)"])
            }
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(250))
        }
        return false
    }

    /// Publishes `runs` again, each under a message id of its own (`Subjects.republishMessageID`), and commits
    /// the new sequences. A run whose publish or commit fails is still out with its lost sequence: the next pass
    /// finds it again, and publishes it under the same id, which JetStream drops if the first try got through.
    private func republish(_ runs: [PublishedRunRow], js: JetStream) async {
        let jobs: [String: Job]
        do {
            jobs = try await database.read { db in
                try runs.reduce(into: [:]) { found, run in found[run.jobID] = try JobRows.find(id: run.jobID, in: db) }
            }
        } catch {
            logger.error("reconciliation: cannot read lost runs' jobs; will retry", metadata: ["error": "\(error)"])
            return
        }
        let publishedAt = clock.nowNs()
        let shard = self.shard
        let outcomes = await withTaskGroup(of: (PublishedRunRow, Result<PubAck, any Error>)?.self) { group in
            for run in runs {
                guard let job = jobs[run.jobID] else { continue }
                var message = job.jobRun(publishedAtNs: publishedAt)
                message.run = run.run
                message.dueAtNs = run.dueAtNs
                group.addTask {
                    let result = await Result {
                        try await js.publish(
                            subject: Subjects.jobs(priority: run.priority, shard: shard), payload: message.encoded(),
                            msgID: Subjects.republishMessageID(jobID: run.jobID, run: run.run,
                                                               lostSequence: run.streamSequence))
                    }
                    return (run, result)
                }
            }
            var outcomes: [(PublishedRunRow, Result<PubAck, any Error>)] = []
            for await outcome in group {
                if let outcome { outcomes.append(outcome) }
            }
            return outcomes
        }
        var published: [PublishedRun] = []
        for (run, result) in outcomes {
            switch result {
            case .success(let ack):
                logger.warning("run lost by JetStream published again", metadata: [
                    "job": "\(run.jobID)", "run": "\(run.run)", "lost_sequence": "\(run.streamSequence)",
                    "stream_sequence": "\(ack.sequence)",
                ])
                published.append(PublishedRun(jobID: run.jobID, run: run.run, streamSequence: ack.sequence,
                                              publishedAtNs: publishedAt, replacesSequence: run.streamSequence))
            case .failure(let error):
                logger.warning("reconciliation: cannot publish a lost run; will retry",
                               metadata: ["job": "\(run.jobID)", "run": "\(run.run)", "error": "\(error)"])
            }
        }
        guard !published.isEmpty else { return }
        do {
            _ = try await log.propose(.markPublished(published))
            metrics.republished(published.count)
        } catch {
            logger.error("reconciliation: cannot commit republished runs; will retry", metadata: ["error": "\(error)"])
        }
    }
}
