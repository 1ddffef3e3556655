import Synchronization
import TockConcurrency
import TockCore
import TockModel
import TockNATS
import TockWire

/// Runs fetched but not yet started, per priority. Fetchers keep each priority's queue topped up (at most
/// `capacity` waiting); the dispatcher takes the next run by the `PriorityPicker`'s choice whenever an executor
/// slot is free. A run can wait here longer than its ack wait when every slot is busy, so `keepAlive` tells
/// JetStream the waiting runs are in progress, or they would be redelivered to another executor (a duplicate).
final class WaitingRuns: Sendable {
    private let capacityValue: Atomic<Int>
    /// Most runs of one priority waiting here; a reload may change it.
    var capacity: Int {
        get { capacityValue.load(ordering: .relaxed) }
        set { capacityValue.store(newValue, ordering: .relaxed) }
    }
    /// Signalled when runs arrive, for the dispatcher.
    let arrived = Wakeup()
    private let room: [Priority: Wakeup]
    private struct Queues {
        var runs: [Priority: [Waiting]] = [:]
        /// The broker may hold more runs of the priority: its last fetch came back full (or none came back yet).
        /// Such a priority counts as having work even while its queue here is momentarily empty, so a fetch in
        /// flight does not hand its slots to a lower priority.
        var brokerMayHaveMore: [Priority: Bool] = [:]
    }

    private struct Waiting {
        var message: JetStreamMessage
        /// Since when JetStream last heard of it (fetched, or told it is in progress).
        var touched: ContinuousClock.Instant
    }

    private let queues = Mutex(Queues())

    /// `priorities`: those this executor fetches; until their first fetch returns they count as having work.
    init(capacity: Int, priorities: [Priority]) {
        capacityValue = Atomic(capacity)
        room = Dictionary(uniqueKeysWithValues: Priority.allCases.map { ($0, Wakeup()) })
        queues.withLock { queues in
            for priority in priorities { queues.brokerMayHaveMore[priority] = true }
        }
    }

    /// How many more runs of `priority` may wait.
    func space(for priority: Priority) -> Int {
        max(0, capacity - queues.withLock { $0.runs[priority]?.count ?? 0 })
    }

    /// Waits (bounded) until a run of `priority` has been taken.
    func waitForSpace(for priority: Priority, timeout: Duration) async {
        await room[priority]!.wait(timeout: timeout)
    }

    /// Adds what one fetch of `requested` runs, sent at `deliveredAfter`, brought.
    func add(
        _ messages: [JetStreamMessage], priority: Priority, requested: Int,
        deliveredAfter: ContinuousClock.Instant
    ) {
        queues.withLock { queues in
            queues.runs[priority, default: []].append(
                contentsOf: messages.map { Waiting(message: $0, touched: deliveredAfter) })
            queues.brokerMayHaveMore[priority] = messages.count >= requested
        }
        arrived.signal()
    }

    /// A fetch failed: until one succeeds, the priority has no work as far as scheduling goes.
    func fetchFailed(priority: Priority) {
        queues.withLock { $0.brokerMayHaveMore[priority] = false }
        arrived.signal()
    }

    /// A run taken to start: its message and since when JetStream last heard of it.
    struct Taken: Sendable {
        var priority: Priority
        var message: JetStreamMessage
        var touched: ContinuousClock.Instant
    }

    /// The next run to start, chosen by `picker` among the priorities with work; nil when there is none, or when
    /// the chosen priority's runs are still being fetched.
    func next(using picker: inout PriorityPicker) -> Taken? {
        let taken = queues.withLock { queues -> Taken? in
            let work = Set(
                Priority.allCases.filter {
                    !(queues.runs[$0]?.isEmpty ?? true) || queues.brokerMayHaveMore[$0, default: false]
                })
            guard let priority = picker.peek(waiting: work), let run = queues.runs[priority]?.first else { return nil }
            picker.started(priority)
            queues.runs[priority]!.removeFirst()
            return Taken(priority: priority, message: run.message, touched: run.touched)
        }
        if let taken { room[taken.priority]!.signal() }
        return taken
    }

    /// Empties every queue, e.g. to hand the runs back to JetStream when stopping.
    func removeAll() -> [JetStreamMessage] {
        queues.withLock { queues in
            defer { queues.runs = [:] }
            return queues.runs.values.flatMap { $0.map(\.message) }
        }
    }

    /// Sends InProgress for every run of `priority` that has waited `interval` since JetStream last heard of it.
    func keepAlive(priority: Priority, every interval: Duration) {
        let now = ContinuousClock.now
        let due = queues.withLock { queues -> [JetStreamMessage] in
            guard var runs = queues.runs[priority] else { return [] }
            var due: [JetStreamMessage] = []
            for index in runs.indices where now - runs[index].touched >= interval {
                runs[index].touched = now
                due.append(runs[index].message)
            }
            queues.runs[priority] = runs
            return due
        }
        for message in due { try? message.inProgress() }
    }
}
