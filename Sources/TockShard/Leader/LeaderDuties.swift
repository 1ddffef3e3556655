import Logging
import Synchronization
import TockCore
import TockNATS
import TockSQLite

/// What only the leader does — publish due runs and republish those JetStream lost (`DuePublisher`), commit
/// completions, publish the outbox's outcome events (`OutcomePublisher`), sample the queues for the metrics, purge
/// finished jobs past their retention (`RetentionPurger`) —
/// started when the node becomes a ready leader and cancelled the moment it stops leading. Each leadership gets a
/// fresh due-timer whose first scan finds every run due but not committed as published: runs the old leader
/// published already carry the same Nats-Msg-Id, so JetStream drops the duplicates.
final class LeaderDuties: Sendable {
    private struct Active {
        var publisher: DuePublisher
        var task: Task<Void, Never>
    }

    private let makePublisher: @Sendable () -> DuePublisher
    private let makeOutcomePublisher: @Sendable () -> OutcomePublisher
    private let completions: CompletionConsumer
    private let sampler: QueueSampler
    private let makePurger: @Sendable () -> RetentionPurger
    private let logger: Logger
    private let active = Mutex<Active?>(nil)

    init(
        makePublisher: @escaping @Sendable () -> DuePublisher,
        makeOutcomePublisher: @escaping @Sendable () -> OutcomePublisher, completions: CompletionConsumer,
        sampler: QueueSampler, makePurger: @escaping @Sendable () -> RetentionPurger, logger: Logger
    ) {
        self.makePurger = makePurger
        self.makePublisher = makePublisher
        self.makeOutcomePublisher = makeOutcomePublisher
        self.completions = completions
        self.sampler = sampler
        self.logger = logger
    }

    var malformedCompletions: Int { completions.malformedCount }

    func leadershipChanged(_ leading: Bool) {
        if leading { start() } else { stop() }
    }

    private func start() {
        let publisher = makePublisher()
        let outcomes = makeOutcomePublisher()
        let completions = self.completions
        let sampler = self.sampler
        let purger = makePurger()
        let task = Task {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await publisher.run() }
                group.addTask { await outcomes.run() }
                group.addTask { await completions.run(committed: { await publisher.finished($0) }) }
                group.addTask { await sampler.run(flows: { await publisher.flows }) }
                group.addTask { await purger.run() }
            }
        }
        let previous = active.withLock { active in
            defer { active = Active(publisher: publisher, task: task) }
            return active
        }
        previous?.task.cancel()
        logger.info("leading: publishing due runs and consuming completions")
    }

    func stop() {
        let previous = active.withLock { active in
            defer { active = nil }
            return active
        }
        guard let previous else { return }
        previous.task.cancel()
        logger.info("no longer leading: stopped publishing and consuming")
    }

    /// How many runs the due-timer holds in memory, if this node leads.
    func dueTimerHeld() async -> Int? {
        guard let publisher = active.withLock({ $0?.publisher }) else { return nil }
        return await publisher.pendingCount
    }

    /// The flows the due-timer's gate knows, if this node leads.
    func flows() async -> [FlowGateView]? {
        guard let publisher = active.withLock({ $0?.publisher }) else { return nil }
        return await publisher.flows
    }

    /// New scheduled runs go to the current due-timer, if this node leads.
    func schedule(_ entries: [DueEntry]) async {
        guard let publisher = active.withLock({ $0?.publisher }) else { return }
        await publisher.schedule(entries)
    }
}
