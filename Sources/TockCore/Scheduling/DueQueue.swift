/// A run waiting for its due time.
public struct DueEntry: Sendable, Equatable {
    public var dueAtNs: Int64
    public var jobID: String
    public var run: UInt32
    /// Where the run waits once due; a hint for fairness only: the leader checks the job's flow when it reads it.
    public var lane: DueLane

    public init(dueAtNs: Int64, jobID: String, run: UInt32, lane: DueLane = DueLane()) {
        self.dueAtNs = dueAtNs
        self.jobID = jobID
        self.run = run
        self.lane = lane
    }

    fileprivate static func before(_ a: DueEntry, _ b: DueEntry) -> Bool {
        a.dueAtNs != b.dueAtNs ? a.dueAtNs < b.dueAtNs : a.jobID < b.jobID
    }
}

/// Runs keyed by due time: a binary min-heap, so finding the next due run is O(1) and taking one O(log n),
/// instead of polling SQL. Entries are not removed on cancel; the publisher re-reads each run's state.
public struct DueQueue: Sendable {
    private var heap: [DueEntry] = []

    public init() {}

    public var count: Int { heap.count }
    public var isEmpty: Bool { heap.isEmpty }
    public var nextDueNs: Int64? { heap.first?.dueAtNs }

    public mutating func insert(_ entry: DueEntry) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard DueEntry.before(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns up to `limit` entries due at or before `nowNs`, earliest first.
    public mutating func popDue(nowNs: Int64, limit: Int) -> [DueEntry] {
        var due: [DueEntry] = []
        while due.count < limit, let first = heap.first, first.dueAtNs <= nowNs {
            due.append(popFirst())
        }
        return due
    }

    private mutating func popFirst() -> DueEntry {
        let first = heap[0]
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var smallest = parent
                if left < heap.count, DueEntry.before(heap[left], heap[smallest]) { smallest = left }
                if right < heap.count, DueEntry.before(heap[right], heap[smallest]) { smallest = right }
                if smallest == parent { break }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return first
    }
}
