import TockCore
import TockModel

/// Which due runs the leader publishes next, as a state machine without I/O inside the `DueTimer`: due runs wait
/// in lanes (`DueLane`: a priority and a flow key, or a tenant for a job of no flow), lanes take turns one run at a
/// time (deficit round robin with a quantum of one run), and a lane whose flow has limits gives a run only while
/// they allow it:
///
/// - **rate**: a `FlowPacer` per flow, so releases are evenly spaced;
/// - **concurrency**: the flow's open runs — released and not yet reported done — stay below the limit. A release
///   opens a run; a completion committed as done closes it (`finished`), and so does a release that came to
///   nothing (the run was cancelled, skipped, or its publish or commit failed: `released`).
///
/// What the gate knows of a flow it reads from the tables through the timer (`reads`, answered by `read`): the
/// flow's limits, again every `limitsRefreshNs` while it has runs waiting, so a changed limit applies to runs
/// already held; and, for a flow with a concurrency limit, its runs published and not done, before its first
/// release and again every `openRunsRefreshNs` — which is how the limit holds across leader changes (a new leader
/// counts what the old one published from the replicated job table) and how a run that never reports back (it was
/// cancelled while out) stops holding a slot. A flow's runs are held until its limits are known.
struct FlowGate: Sendable {
    struct Settings: Sendable {
        var limitsRefreshNs: Int64 = 1_000_000_000
        var openRunsRefreshNs: Int64 = 30_000_000_000
    }

    /// One request to read a flow's state from the tables.
    struct Read: Sendable, Equatable {
        var flow: FlowID
        /// Also read the runs of the flow published and not done.
        var openRuns: Bool
    }

    /// What a read found: the flow's limits (`.unlimited` without a row) and, when asked for, its open runs' keys.
    struct Reading: Sendable, Equatable {
        var flow: FlowID
        var limits: FlowLimits
        var openRuns: [String]?
    }

    /// What the gate knows of one flow.
    struct FlowState: Sendable {
        var limits: FlowLimits?
        var limitsReadAtNs: Int64 = .min
        var pacer: FlowPacer?
        /// Runs holding a slot of the concurrency limit: released, and neither done nor given back.
        var open = Set<String>()
        var openRunsReadAtNs: Int64?
        var reading = false
        /// Runs of the flow waiting in lanes.
        var waiting = 0
        /// A read of its open runs is out: runs committed as published meanwhile may be missing from what it
        /// finds, and are kept here to be counted all the same.
        var readingOpenRuns = false
        var committedDuringRead = Set<String>()

        /// Ends a read of open runs; whether one was out.
        mutating func endOpenRunRead() -> Bool {
            guard readingOpenRuns else { return false }
            readingOpenRuns = false
            committedDuringRead = []
            return true
        }
    }

    /// A lane's waiting runs, oldest first (a queue with a moving head, compacted as it drains).
    struct Lane: Sendable {
        var entries: [DueEntry] = []
        var head = 0
        var count: Int { entries.count - head }

        mutating func append(_ entry: DueEntry) { entries.append(entry) }

        mutating func popFirst() -> DueEntry {
            let entry = entries[head]
            head += 1
            if head >= 1024, head * 2 >= entries.count {
                entries.removeFirst(head)
                head = 0
            }
            return entry
        }
    }

    let settings: Settings
    private var lanes: [DueLane: Lane] = [:]
    /// Lanes with waiting runs, in the order they take turns; `cursor` is the next to serve.
    private var ring: [DueLane] = []
    private var cursor = 0
    private(set) var flows: [FlowID: FlowState] = [:]
    /// The flow of each open run, and those of them whose "published" is not yet committed.
    private var openFlow: [String: FlowID] = [:]
    private var uncommitted = Set<String>()
    /// Runs closed while a read of open runs is out (`openRunReadsOut`): a read may have found them still open.
    private var closedDuringReads = Set<String>()
    private var openRunReadsOut = 0
    /// Runs waiting in lanes.
    private(set) var held = 0
    /// When the next read is due (nil: none), kept so that a poll does not look at every flow; `.min` after a
    /// change that may bring one forward, which makes the next `reads` look.
    private var readsDueAtNs: Int64? = .min
    /// Idle flows are forgotten at most this often.
    private var sweepAtNs: Int64 = .min
    static let sweepIntervalNs: Int64 = 10_000_000_000

    init(settings: Settings = Settings()) {
        self.settings = settings
    }

    /// A due run joins the back of its lane.
    mutating func enqueue(_ entry: DueEntry) {
        let lane = entry.lane
        if lanes[lane] == nil {
            lanes[lane] = Lane()
            ring.append(lane)
        }
        lanes[lane]!.append(entry)
        held += 1
        if let flow = lane.flow {
            flows[flow, default: FlowState()].waiting += 1
            readsDueAtNs = .min
        }
    }

    /// Up to `limit` runs to publish now, lanes taking turns from where the last round stopped. Each run a flow
    /// allows takes its rate and concurrency at once.
    mutating func take(nowNs: Int64, limit: Int) -> [DueEntry] {
        guard limit > 0, !ring.isEmpty else { return [] }
        var taken: [DueEntry] = []
        // One pass over the ring finds the lanes that can give a run now; then they take turns until the round
        // is full or none can give more, so a lane held back costs one look per round, not one per run.
        let start = cursor % ring.count
        var turns = (ring[start...] + ring[..<start]).filter { canRelease($0, nowNs: nowNs) }
        var lastServed: DueLane?
        while taken.count < limit, !turns.isEmpty {
            var next: [DueLane] = []
            next.reserveCapacity(turns.count)
            // Checked again at each turn: lanes of one flow (its priorities) share its limits.
            for lane in turns where taken.count < limit && canRelease(lane, nowNs: nowNs) {
                let entry = lanes[lane]!.popFirst()
                held -= 1
                if let flow = lane.flow { flows[flow]?.waiting -= 1 }
                open(entry, nowNs: nowNs)
                taken.append(entry)
                lastServed = lane
                if lanes[lane]!.count > 0 { next.append(lane) }
            }
            turns = next
        }
        dropEmptyLanes(after: lastServed)
        return taken
    }

    /// A released run that came to nothing (gone, skipped, waiting on its previous run, or its publish or commit
    /// failed) gives its slot back. Its rate is not given back: nothing is lost by pacing a little slower.
    mutating func released(_ runKeys: some Sequence<String>) {
        for key in runKeys { close(key) }
    }

    /// The runs' "published" is committed: a re-read of open runs now finds them in the tables.
    mutating func committed(_ runKeys: some Sequence<String>) {
        for key in runKeys {
            uncommitted.remove(key)
            if let flow = openFlow[key], flows[flow]?.readingOpenRuns == true {
                flows[flow]!.committedDuringRead.insert(key)
            }
        }
    }

    /// Completions committed as done close their runs.
    mutating func finished(_ runKeys: some Sequence<String>) {
        for key in runKeys { close(key) }
    }

    /// The flows to read now (each asked for once until answered); flows with nothing left to track are forgotten.
    mutating func reads(nowNs: Int64) -> [Read] {
        if nowNs >= sweepAtNs {
            for flow in Array(flows.keys) { forgetIfIdle(flow, nowNs: nowNs) }
            sweepAtNs = nowNs.saturatingAdding(Self.sweepIntervalNs)
        }
        guard let due = readsDueAtNs, due <= nowNs else { return [] }
        var reads: [Read] = []
        for (flow, state) in flows where !state.reading {
            guard let at = nextRead(of: flow, state), at <= nowNs else { continue }
            let openRuns =
                state.limits == nil
                || (state.limits?.concurrency != nil
                    && (state.openRunsReadAtNs.map { $0.saturatingAdding(settings.openRunsRefreshNs) <= nowNs } ?? true))
            reads.append(Read(flow: flow, openRuns: openRuns))
            flows[flow]!.reading = true
            if openRuns {
                flows[flow]!.readingOpenRuns = true
                openRunReadsOut += 1
            }
        }
        readsDueAtNs = earliestRead()
        return reads.sorted { $0.flow < $1.flow }
    }

    /// What reads found. A flow whose open runs were read holds those — less the runs closed since the read went
    /// out, which it may have seen still open — and the runs it let out that the read could not see: not yet
    /// committed as published, or committed only after the read began.
    mutating func read(_ readings: [Reading], nowNs: Int64) {
        for reading in readings {
            guard var state = flows[reading.flow] else { continue }
            state.reading = false
            state.limits = reading.limits
            state.limitsReadAtNs = nowNs
            if reading.limits.rate == nil { state.pacer = nil }
            let committedDuringRead = state.committedDuringRead
            if state.endOpenRunRead() { openRunReadsOut -= 1 }
            if let openRuns = reading.openRuns, reading.limits.concurrency != nil {
                let pending = state.open.filter { uncommitted.contains($0) || committedDuringRead.contains($0) }
                for key in state.open where !pending.contains(key) { openFlow[key] = nil }
                let openRuns = openRuns.filter { !closedDuringReads.contains($0) }
                state.open = pending.union(openRuns)
                for key in openRuns { openFlow[key] = reading.flow }
                state.openRunsReadAtNs = nowNs
            } else if reading.limits.concurrency == nil {
                for key in state.open { openFlow[key] = nil }
                state.open = []
                state.openRunsReadAtNs = nil
            }
            flows[reading.flow] = state
            forgetIfIdle(reading.flow, nowNs: nowNs)
        }
        if openRunReadsOut == 0 { closedDuringReads = [] }
        readsDueAtNs = earliestRead()
    }

    /// Reads that failed are asked again at the next refresh.
    mutating func readFailed(_ flows: [FlowID], nowNs: Int64) {
        for flow in flows where self.flows[flow] != nil {
            if self.flows[flow]!.endOpenRunRead() { openRunReadsOut -= 1 }
            self.flows[flow]!.reading = false
            self.flows[flow]!.limitsReadAtNs = nowNs
        }
        if openRunReadsOut == 0 { closedDuringReads = [] }
        readsDueAtNs = earliestRead()
    }

    /// When some lane may next give a run: `.min` when one can now, the earliest time a lane held back only by
    /// its rate may; nil when none can until an event (a read, a completion) frees one.
    func nextReleaseNs() -> Int64? {
        var earliest: Int64?
        for lane in ring {
            guard let flow = lane.flow else { return .min }
            guard let state = flows[flow], let limits = state.limits else { continue }
            if let concurrency = limits.concurrency {
                guard state.openRunsReadAtNs != nil, state.open.count < Int(concurrency) else { continue }
            }
            let at = limits.rate.flatMap { rate in state.pacer?.nextReleaseNs(rate: rate) } ?? .min
            earliest = min(earliest ?? at, at)
        }
        return earliest
    }

    /// When the next read is due (nil: none until something changes).
    func nextReadNs() -> Int64? { readsDueAtNs }

    private func earliestRead() -> Int64? {
        flows.compactMap { flow, state in state.reading ? nil : nextRead(of: flow, state) }.min()
    }

    /// A flow's limits are read before its first release and again every `limitsRefreshNs` while it has runs
    /// waiting; a concurrency-limited flow's open runs every `openRunsRefreshNs` while it is known.
    private func nextRead(of flow: FlowID, _ state: FlowState) -> Int64? {
        guard let limits = state.limits else {
            // Not read yet, or the last read failed: then not again before the refresh, or a broken database
            // would be read in a busy loop.
            return state.limitsReadAtNs == .min ? .min : state.limitsReadAtNs.saturatingAdding(settings.limitsRefreshNs)
        }
        var at: Int64?
        if isWaiting(flow) { at = state.limitsReadAtNs.saturatingAdding(settings.limitsRefreshNs) }
        if limits.concurrency != nil {
            let openAt = state.openRunsReadAtNs.map { $0.saturatingAdding(settings.openRunsRefreshNs) } ?? .min
            at = min(at ?? openAt, openAt)
        }
        return at
    }

    /// Per flow: its limits, runs waiting and runs open (for status pages and metrics).
    func snapshot() -> [FlowGateView] {
        var waiting: [FlowID: Int] = [:]
        for (lane, queue) in lanes { if let flow = lane.flow { waiting[flow, default: 0] += queue.count } }
        return flows.map { flow, state in
            FlowGateView(
                flow: flow, limits: state.limits, heldBack: waiting[flow] ?? 0,
                open: state.limits?.concurrency == nil ? nil : state.open.count)
        }.sorted { $0.flow < $1.flow }
    }

    private func isWaiting(_ flow: FlowID) -> Bool { (flows[flow]?.waiting ?? 0) > 0 }

    private func canRelease(_ lane: DueLane, nowNs: Int64) -> Bool {
        guard let queue = lanes[lane], queue.count > 0 else { return false }
        guard let flow = lane.flow else { return true }
        guard let state = flows[flow], let limits = state.limits else { return false }
        if let concurrency = limits.concurrency {
            guard state.openRunsReadAtNs != nil, state.open.count < Int(concurrency) else { return false }
        }
        if let rate = limits.rate, let pacer = state.pacer {
            return nowNs >= pacer.nextReleaseNs(rate: rate)
        }
        return true
    }

    private mutating func open(_ entry: DueEntry, nowNs: Int64) {
        guard let flow = entry.lane.flow, var state = flows[flow], let limits = state.limits else { return }
        if let rate = limits.rate {
            var pacer = state.pacer ?? FlowPacer(nowNs: nowNs, rate: rate)
            _ = pacer.take(nowNs: nowNs, rate: rate)
            state.pacer = pacer
        }
        if limits.concurrency != nil {
            let key = entry.runKey
            state.open.insert(key)
            openFlow[key] = flow
            uncommitted.insert(key)
        }
        flows[flow] = state
    }

    private mutating func close(_ key: String) {
        uncommitted.remove(key)
        if openRunReadsOut > 0 { closedDuringReads.insert(key) }
        guard let flow = openFlow.removeValue(forKey: key) else { return }
        flows[flow]?.open.remove(key)
    }

    /// Empty lanes leave the ring; the next round starts after the last lane served.
    private mutating func dropEmptyLanes(after lastServed: DueLane?) {
        var next = lastServed.flatMap { ring.firstIndex(of: $0) }.map { $0 + 1 } ?? cursor
        var kept: [DueLane] = []
        kept.reserveCapacity(ring.count)
        for (index, lane) in ring.enumerated() {
            if lanes[lane]!.count > 0 {
                kept.append(lane)
            } else {
                lanes[lane] = nil
                if index < next { next -= 1 }
            }
        }
        ring = kept
        cursor = ring.isEmpty ? 0 : next % ring.count
    }

    /// A flow with nothing waiting, nothing open and no release booked ahead is forgotten; met again, it is read
    /// again before anything is released.
    private mutating func forgetIfIdle(_ flow: FlowID, nowNs: Int64) {
        guard let state = flows[flow], !state.reading, state.open.isEmpty, !isWaiting(flow),
            state.pacer?.isIdle(nowNs: nowNs) ?? true
        else { return }
        flows[flow] = nil
    }
}

/// One flow as the leader's gate sees it.
public struct FlowGateView: Sendable, Equatable {
    public var flow: FlowID
    /// nil until read.
    public var limits: FlowLimits?
    /// Runs due and waiting for the flow's limits (or their turn).
    public var heldBack: Int
    /// Runs released and not yet done; nil for a flow without a concurrency limit (the gate does not count them).
    public var open: Int?
}
