/// Which scheduled runs the leader's due-timer holds in memory: only those below a horizon a little ahead of now
/// (at most `capacity` of them), so a shard with a million scheduled jobs keeps a bounded heap. The rest stay in
/// SQLite and are read by index scans, in due order, as the horizon moves on. Pure bookkeeping: the caller runs
/// the scans and owns the heap, and passes in the time and how many runs it holds.
///
/// The rule that keeps every run found: every scheduled run with a key below `horizon` is held (or was taken to be
/// published). A scan reads the rows from `horizon` up to its end; while it runs, a newly scheduled run is accepted
/// if it lies below that end, since the scan's read may or may not include it. Holding a run twice is harmless (the
/// publisher re-reads each run's row before publishing it); missing one is not, so whenever the window cannot take
/// a run (it is full) it moves its horizon back to that run, and a later scan reads it.
public struct DueWindow: Sendable {
    /// One index scan to run: scheduled, unpaused rows with `from <= key` and `due_at < untilNs`, in key order, at
    /// most `limit` of them.
    public struct Scan: Sendable, Equatable {
        public var from: DueKey
        public var untilNs: Int64
        public var limit: Int

        public init(from: DueKey, untilNs: Int64, limit: Int) {
            self.from = from
            self.untilNs = untilNs
            self.limit = limit
        }
    }

    /// How far ahead of now the window reaches.
    public let spanNs: Int64
    /// Most runs held, scanned and accepted together (runs the publisher puts back after a failure come on top).
    public let capacity: Int
    /// Every scheduled run below this key is held or taken; none at or above it need be.
    public private(set) var horizon: DueKey = .lowest
    private var scanning: Scan?
    /// The lowest run refused for want of room while a scan ran; the horizon goes back to it when the scan ends.
    private var lowestRefused: DueKey?
    /// The last scan stopped at its limit (or a run was refused): more runs wait before the window's reach.
    private var full = false

    /// `capacity` of at least 2, so a scan that stops at its limit still moves the horizon on.
    public init(span: Duration, capacity: Int) {
        precondition(span > .zero && capacity >= 2, "a due window needs a positive span and room for 2 runs")
        spanNs = span.nanoseconds
        self.capacity = capacity
    }

    /// Scans smaller than this wait until the heap drains further, so a nearly full window is not refilled one row
    /// at a time.
    private var smallestScan: Int { max(2, capacity / 16) }

    /// Whether a newly scheduled run goes into the heap now (else a later scan will read it).
    public mutating func admit(_ key: DueKey, held: Int) -> Bool {
        guard key < acceptBelow else { return false }
        guard held >= capacity else { return true }
        if scanning != nil {
            lowestRefused = min(lowestRefused ?? key, key)
        } else {
            horizon = min(horizon, key)
            full = true
        }
        return false
    }

    /// Runs below this are accepted: a scan in progress may have read its snapshot before they were committed.
    public var acceptBelow: DueKey {
        guard let scanning else { return horizon }
        return max(horizon, .start(of: scanning.untilNs))
    }

    /// The scan to run now, if the horizon is getting close (within half the span) or the window drained after a
    /// scan that stopped at its limit. Only one scan runs at a time; end it with `finish` or `abandon`.
    public mutating func nextScan(nowNs: Int64, held: Int) -> Scan? {
        guard scanning == nil else { return nil }
        let until = nowNs.saturatingAdding(spanNs)
        let room = capacity - held
        guard horizon < .start(of: until), room >= smallestScan else { return nil }
        let approaching = horizon.dueAtNs <= nowNs.saturatingAdding(spanNs / 2)
        guard approaching || (full && room >= capacity / 2) else { return nil }
        let scan = Scan(from: horizon, untilNs: until, limit: room)
        scanning = scan
        return scan
    }

    /// Records what `scan` read (its rows in key order) and returns the runs to hold; `held` is how many the heap
    /// holds now, including runs admitted while the scan ran.
    public mutating func finish(_ scan: Scan, rows: [DueEntry], held: Int) -> ArraySlice<DueEntry> {
        precondition(scanning == scan, "finish the scan that nextScan started")
        scanning = nil
        // A scan that stopped at its limit may have more rows at its last row's key, so that row waits for the
        // next scan, which starts there; rows for which the heap has no room since the scan began wait too.
        let kept = min(max(0, capacity - held), rows.count >= scan.limit ? rows.count - 1 : rows.count)
        var reached: DueKey
        if kept < rows.count {
            reached = rows[kept].key
            full = true
        } else {
            reached = .start(of: scan.untilNs)
            full = false
        }
        if let refused = lowestRefused {
            reached = min(reached, refused)
            full = true
        }
        lowestRefused = nil
        horizon = reached
        return rows.prefix(kept)
    }

    /// A scan that failed: nothing it would have read is held, so the horizon stays (or goes back to a refused run).
    public mutating func abandon(_ scan: Scan) {
        precondition(scanning == scan, "abandon the scan that nextScan started")
        scanning = nil
        if let refused = lowestRefused {
            horizon = min(horizon, refused)
            full = true
        }
        lowestRefused = nil
    }

    /// When the horizon will be close enough to scan again, if nothing else changes; nil while a scan runs or the
    /// window has no room.
    public func nextScanNs(held: Int) -> Int64? {
        guard scanning == nil, capacity - held >= smallestScan else { return nil }
        return horizon.dueAtNs.saturatingSubtracting(spanNs / 2)
    }
}
