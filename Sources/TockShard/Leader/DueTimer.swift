import TockCore
import TockModel
import TockWire

/// The leader's due-timer and its reconciliation as one state machine without I/O, the way `RaftNode` holds Raft:
/// the `DuePublisher` actor feeds it `DueTimerEvent`s (new runs, and the answers to what it asked for) and carries
/// out the `DueTimerAction`s that `poll` returns — scan the tables, read jobs, publish, commit, look runs up in
/// their stream — then sleeps until `wakeAtNs` or the next event. Time comes in with every call, so tests drive
/// it with numbers.
///
/// Publishing (Sources/ARCHITECTURE.md, invariant 2): the scheduled runs due soon are held in a `DueQueue`, and only
/// those inside a `DueWindow`, refilled by index scans as its horizon approaches. Due runs go out in rounds of at most
/// `batchLimit`: their jobs are read again, a `RecurrencePlan` sorts them (publish, skip, or wait for the previous
/// run), they are published, and each PubAck is committed as "published" while the next round goes out — up to
/// `maxCommitting` runs in commit at once. A run that could not be published, or whose commit failed, is held again and
/// published after a back-off (250 ms doubling to 5 s, reset by a round that publishes — once commits go through) with
/// the same message id, which JetStream drops if the first publish got through.
///
/// Flow control and fairness: a due run leaves the heap for its lane in a `FlowGate`, and each round is what the
/// gate lets out — lanes in turn, each flow within its rate and concurrency. The gate's runs count as held, so the
/// window's bound on memory covers them. A run whose job turns out, once read, to belong to another flow than its
/// lane said goes back to the right lane instead of out.
///
/// Reconciliation (Sources/ARCHITECTURE.md, invariant 5): a pass runs when the timer starts, every
/// `reconcileIntervalNs`, and at once after the broker reconnected. It reads a bounded page of runs published longer
/// ago than they could be in flight (`LostRunSweep`, `LostRunPolicy`), looks each up in its stream, and once the
/// completions waiting in `TOCK_DONE` are committed, has those whose message is gone published again. One pass at a
/// time.
struct DueTimer: Sendable {
    struct Settings: Sendable {
        var batchLimit = 1024
        var misfireThresholdNs = RecurrencePlan.defaultMisfireThresholdNs
        var reconcileIntervalNs: Int64 = 30_000_000_000
        var lostRuns = LostRunPolicy(minimumAgeNs: 60_000_000_000)
        var reconcileBatch = 256
        var flows = FlowGate.Settings()
    }

    /// Where reconciliation is.
    enum Pass: Sendable, Equatable {
        case idle(nextAtNs: Int64)
        case reading, lookingUp, settling, republishing
    }

    static let firstFailureDelayNs: Int64 = 250_000_000
    static let longestFailureDelayNs: Int64 = 5_000_000_000
    static let scanRetryDelayNs: Int64 = 1_000_000_000
    /// A run whose previous run is still out (overlap `wait`) is looked at again this much later: a completion
    /// does not wake the timer.
    static let overlapRecheckNs: Int64 = 1_000_000_000

    let settings: Settings
    private var queue = DueQueue()
    private(set) var gate: FlowGate
    private var window: DueWindow
    private var sweep: LostRunSweep
    /// Runs taken out of the heap and not yet finished with: being read, published, committed or skipped. A scan
    /// reads them as still `scheduled` and must not bring them back.
    private var outstanding = Set<String>()
    private var committing = 0
    private var roundInFlight = false
    private var failureDelayNs: Int64 = 0
    /// A "published" commit failed and none has gone through since. The runs are published again before they are
    /// committed, so that round must not reset the back-off: with a full disk every due run would go out four
    /// times a second.
    private var commitsFailing = false
    /// After a scan failed, the next waits until then, so a broken database is not scanned in a busy loop.
    private var scanRetryNs: Int64 = .min
    private(set) var pass = Pass.idle(nextAtNs: .min)
    /// The broker reconnected during a pass: another starts when it ends.
    private var passRequested = false
    /// Actions decided on an event, handed out by the next `poll`.
    private var decided: [DueTimerAction] = []

    init(window: DueWindow, settings: Settings = Settings()) {
        self.window = window
        self.settings = settings
        gate = FlowGate(settings: settings.flows)
        sweep = LostRunSweep(policy: settings.lostRuns, batch: settings.reconcileBatch)
    }

    /// Runs held in memory now: waiting for their time, or due and waiting in their lanes.
    var held: Int { queue.count + gate.held }

    var maxCommitting: Int { 8 * max(1, settings.batchLimit) }

    /// What to do now: what the last events decided, a window scan when the horizon draws near, a round of due
    /// runs when none is in flight and commits have room, a reconciliation pass when one is due.
    mutating func poll(nowNs: Int64) -> [DueTimerAction] {
        var actions = decided
        decided = []
        if nowNs >= scanRetryNs, let scan = window.nextScan(nowNs: nowNs, held: held) {
            actions.append(.scan(scan))
        }
        moveDueToLanes(nowNs: nowNs)
        let reads = gate.reads(nowNs: nowNs)
        if !reads.isEmpty { actions.append(.readFlows(reads)) }
        if !roundInFlight, committing < maxCommitting {
            let due = gate.take(nowNs: nowNs, limit: settings.batchLimit)
            if !due.isEmpty {
                roundInFlight = true
                actions.append(.load(due))
            }
        }
        if case .idle(let nextAtNs) = pass {
            if nowNs >= nextAtNs {
                pass = .reading
                actions.append(.readOverdue(sweep.scans(nowNs: nowNs)))
            } else if nextAtNs.saturatingSubtracting(nowNs) > settings.reconcileIntervalNs {
                // The wall clock stepped back: keep the pass an interval away, not an interval plus the step.
                pass = .idle(nextAtNs: nowNs.saturatingAdding(settings.reconcileIntervalNs))
            }
        }
        return actions
    }

    /// When `poll` will next have something to do if no event comes first; nil: only an event can change that.
    var wakeAtNs: Int64? {
        var times: [Int64] = []
        if !decided.isEmpty { times.append(.min) }
        if let next = queue.nextDueNs { times.append(next) }
        if !roundInFlight, committing < maxCommitting, let release = gate.nextReleaseNs() { times.append(release) }
        if let readAt = gate.nextReadNs() { times.append(readAt) }
        if let scanAt = window.nextScanNs(held: held) { times.append(max(scanAt, scanRetryNs)) }
        if case .idle(let nextAtNs) = pass { times.append(nextAtNs) }
        return times.min()
    }

    mutating func handle(_ event: DueTimerEvent, nowNs: Int64) {
        switch event {
        case .scheduled(let entries):
            var admitted: [DueEntry] = []
            for entry in entries where window.admit(entry.key, held: held + admitted.count) {
                admitted.append(entry)
            }
            hold(admitted)
        case .scanned(let scan, let rows):
            hold(window.finish(scan, rows: rows, held: held))
        case .scanFailed(let scan):
            window.abandon(scan)
            scanRetryNs = nowNs.saturatingAdding(Self.scanRetryDelayNs)
        case .loaded(let due, let jobs):
            loaded(due, jobs: jobs, nowNs: nowNs)
        case .loadFailed(let due):
            roundInFlight = false
            outstanding.subtract(due.map(\.runKey))
            gate.released(due.map(\.runKey))
            retry(due, nowNs: nowNs)
        case .published(let acked, let failed):
            roundInFlight = false
            outstanding.subtract(failed.map(\.runKey))
            gate.released(failed.map(\.runKey))
            if !acked.isEmpty {
                committing += acked.count
                decided.append(.commit(acked))
            }
            if !failed.isEmpty {
                retry(failed, nowNs: nowNs)
            } else if !commitsFailing {
                failureDelayNs = 0
            }
        case .commitAnswered(let acks, let committed):
            committing -= acks.count
            outstanding.subtract(acks.map(\.key))
            commitsFailing = !committed
            if committed {
                gate.committed(acks.map(\.key))
            } else {
                gate.released(acks.map(\.key))
                retry(
                    acks.map {
                        DueEntry(dueAtNs: $0.run.publishedAtNs, jobID: $0.run.jobID, run: $0.run.run, lane: $0.lane)
                    },
                    nowNs: nowNs)
            }
        case .skipAnswered(let skip, let committed):
            let entry = skip.job.dueEntry
            outstanding.remove(entry.runKey)
            if !committed { retry([entry], nowNs: nowNs) }
        case .brokerReconnected:
            if case .idle(let nextAtNs) = pass {
                pass = .idle(nextAtNs: min(nextAtNs, nowNs))
            } else {
                passRequested = true
            }
        case .overdueRead(let pages):
            guard pass == .reading else { return }
            let overdue = sweep.read(pages, nowNs: nowNs)
            if overdue.isEmpty {
                settleOrEndPass(nowNs: nowNs)
            } else {
                pass = .lookingUp
                decided.append(.lookUp(overdue))
            }
        case .overdueReadFailed:
            endPass(nowNs: nowNs)
        case .lookedUp(let answers, let failed):
            guard pass == .lookingUp else { return }
            for answer in answers { sweep.answered(answer.run, stored: answer.stored) }
            if failed { sweep.lookUpFailed() }
            settleOrEndPass(nowNs: nowNs)
        case .completionsSettled(let settled):
            guard pass == .settling else { return }
            guard settled else {
                // The runs found gone stay suspects; the next pass looks again and settles then.
                endPass(nowNs: nowNs)
                return
            }
            pass = .republishing
            decided.append(.republish(sweep.takeSuspects()))
        case .republishAnswered:
            endPass(nowNs: nowNs)
        case .finished(let runKeys):
            gate.finished(runKeys)
        case .flowsRead(let readings):
            gate.read(readings, nowNs: nowNs)
        case .flowsReadFailed(let flows):
            gate.readFailed(flows, nowNs: nowNs)
        }
    }

    /// Moves the runs due now to their lanes, leaving out any already taken out (a run may be held twice: a scan
    /// and a commit both brought it). Every due run is in its lane before a round is taken, so lanes take turns
    /// over all that is due, not over the first `batchLimit` runs in due order.
    private mutating func moveDueToLanes(nowNs: Int64) {
        for entry in queue.popDue(nowNs: nowNs, limit: .max) where outstanding.insert(entry.runKey).inserted {
            gate.enqueue(entry)
        }
    }

    private mutating func loaded(_ due: [DueEntry], jobs: [DueCandidate], nowNs: Int64) {
        outstanding.subtract(due.map(\.runKey))
        // A run released for one flow whose job belongs to another (its lane was a hint) goes to the right lane.
        let lanes = Dictionary(due.map { ($0.runKey, $0.lane) }, uniquingKeysWith: { first, _ in first })
        var misrouted = Set<String>()
        for candidate in jobs where lanes[candidate.job.dueEntry.runKey]?.flow != candidate.job.flow {
            let entry = candidate.job.dueEntry
            misrouted.insert(entry.runKey)
            outstanding.insert(entry.runKey)
            gate.enqueue(entry)
        }
        let publishable = Set(jobs.map(\.job.dueEntry.runKey)).subtracting(misrouted)
        gate.released(due.map(\.runKey).filter { !publishable.contains($0) })
        let plan = RecurrencePlan(
            jobs.filter { !misrouted.contains($0.job.dueEntry.runKey) }.map { ($0.job, $0.previousRunOut) },
            nowNs: nowNs, misfireThresholdNs: settings.misfireThresholdNs)
        for skip in plan.skipped {
            outstanding.insert(Subjects.runMessageID(jobID: skip.job.id, run: skip.job.run))
            decided.append(.skip(skip, atNs: nowNs))
        }
        gate.released(plan.skipped.map(\.job.dueEntry.runKey))
        let recheckAt = nowNs.saturatingAdding(Self.overlapRecheckNs)
        gate.released(plan.waiting.map(\.dueEntry.runKey))
        hold(plan.waiting.map { DueEntry(dueAtNs: recheckAt, jobID: $0.id, run: $0.run, lane: $0.dueLane) })
        let runs = plan.publish.map { DueRun(job: $0.job, nextDueAtNs: $0.next) }
        guard !runs.isEmpty else {
            roundInFlight = false
            return
        }
        outstanding.formUnion(runs.map { Subjects.runMessageID(jobID: $0.job.id, run: $0.job.run) })
        decided.append(.publish(runs, atNs: nowNs))
    }

    /// Puts runs in the heap whatever the window: runs this timer took out and must retry, whose rows may lie below
    /// the horizon, where no scan will look again.
    private mutating func hold(_ entries: some Collection<DueEntry>) {
        for entry in entries where !outstanding.contains(entry.runKey) { queue.insert(entry) }
    }

    /// Holds runs again after a failure, due no sooner than the growing back-off, so a broker outage is retried
    /// steadily without a busy loop.
    private mutating func retry(_ entries: [DueEntry], nowNs: Int64) {
        failureDelayNs =
            failureDelayNs == 0
            ? Self.firstFailureDelayNs
            : min(failureDelayNs.saturatingMultiplied(by: 2), Self.longestFailureDelayNs)
        let retryAt = nowNs.saturatingAdding(failureDelayNs)
        hold(entries.map { DueEntry(dueAtNs: max($0.dueAtNs, retryAt), jobID: $0.jobID, run: $0.run, lane: $0.lane) })
    }

    private mutating func settleOrEndPass(nowNs: Int64) {
        if sweep.suspects.isEmpty {
            endPass(nowNs: nowNs)
        } else {
            pass = .settling
            decided.append(.awaitCompletions)
        }
    }

    private mutating func endPass(nowNs: Int64) {
        pass = .idle(nextAtNs: passRequested ? nowNs : nowNs.saturatingAdding(settings.reconcileIntervalNs))
        passRequested = false
    }
}

extension DueEntry {
    /// The run's message id, which names the run wherever the timer tracks it.
    var runKey: String { Subjects.runMessageID(jobID: jobID, run: run) }
}
