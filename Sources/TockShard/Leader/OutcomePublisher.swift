import Logging
import TockCore
import TockModel
import TockNATS
import TockSQLite
import TockWire

/// The leader's outbox relay: reads outcome events from `job_events` in order, in bounded batches, publishes each
/// to TOCK_EVENTS on `tock.events.<shard>.<state>` with Nats-Msg-Id `<job>/<run>/<state>`, and then proposes a
/// replicated `deleteEvents` for those JetStream acked. The outcome and its row commit together (no dual write);
/// a leader that dies after a publish and before the delete leaves the row, and the next leader publishes it
/// again under the same id, which JetStream drops inside its duplicate window. Later than that the copy is stored:
/// delivery is at least once.
///
/// Events are published one after another, each after the previous one's PubAck, so the stream holds a shard's
/// events in outbox order. A failed publish stops the batch there (the rest wait their turn) and the relay backs
/// off, 250 ms doubling to 5 s, while the broker is out.
actor OutcomePublisher {
    private let shard: UInt32
    private let database: DatabaseQueue
    private let log: any ReplicatedLog
    private let link: NATSLink
    private let logger: Logger
    private let metrics: ShardMetrics
    private let batchLimit: Int
    private let idleInterval: Duration
    private var failureDelay: Duration = .zero
    /// When the outbox was last counted for `tock_shard_events_outbox`: counting reads every row, so a backlog
    /// is counted once a second rather than once a batch.
    private var countedAt: ContinuousClock.Instant?

    init(
        shard: UInt32, database: DatabaseQueue, log: any ReplicatedLog, link: NATSLink, logger: Logger,
        metrics: ShardMetrics, batchLimit: Int = 256, idleInterval: Duration = .milliseconds(100)
    ) {
        self.shard = shard
        self.database = database
        self.log = log
        self.link = link
        self.logger = logger
        self.metrics = metrics
        self.batchLimit = max(1, batchLimit)
        self.idleInterval = idleInterval
    }

    /// Runs until the task is cancelled.
    func run() async {
        defer { metrics.outboxDepth(nil) }
        while !Task.isCancelled {
            let relayed = await relayOnce()
            switch relayed {
            case .some(let count) where count > 0:
                failureDelay = .zero
            case .some:
                failureDelay = .zero
                try? await Task.sleep(for: idleInterval)
            case .none:
                failureDelay = failureDelay == .zero ? .milliseconds(250) : min(failureDelay * 2, .seconds(5))
                try? await Task.sleep(for: failureDelay)
            }
        }
    }

    /// Publishes and deletes one batch: how many events it relayed, or nil when it could not relay any it read.
    func relayOnce() async -> Int? {
        let batchLimit = self.batchLimit
        let events: [OutcomeEvent]
        do {
            events = try await database.read { try OutboxRows.oldest(limit: batchLimit, in: $0) }
            let now = ContinuousClock.now
            if events.count < batchLimit {
                metrics.outboxDepth(events.count)
                countedAt = now
            } else if countedAt.map({ now - $0 >= .seconds(1) }) ?? true {
                metrics.outboxDepth(try await database.read { try OutboxRows.count(in: $0) })
                countedAt = now
            }
        } catch {
            logger.error("cannot read the outcome outbox; will retry", metadata: ["error": "\(error)"])
            return nil
        }
        guard !events.isEmpty else { return 0 }
        let js: JetStream
        do {
            js = try await link.jetStream()
        } catch {
            return nil
        }
        var published: [OutcomeEvent.Key] = []
        for event in events {
            do {
                _ = try await js.publish(
                    subject: Subjects.events(shard: shard, state: event.state.rawValue),
                    payload: event.encoded(), msgID: event.key.messageID)
                published.append(event.key)
            } catch {
                logger.warning(
                    "cannot publish an outcome event; will retry",
                    metadata: [
                        "job": "\(event.jobID)", "run": "\(event.run)", "state": "\(event.state.rawValue)",
                        "error": "\(error)",
                    ])
                break
            }
        }
        guard !published.isEmpty else { return nil }
        do {
            _ = try await log.propose(.deleteEvents(published))
        } catch {
            // Published but still in the outbox: the next round (or leader) publishes them again under the same
            // ids, which JetStream drops.
            logger.warning(
                "cannot commit published outcome events; they will be published again",
                metadata: ["count": "\(published.count)", "error": "\(error)"])
            return nil
        }
        metrics.eventsPublished(published.count)
        return published.count < events.count ? nil : published.count
    }
}
