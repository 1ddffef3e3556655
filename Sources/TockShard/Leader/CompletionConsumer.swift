import Logging
import Synchronization
import TockCore
import TockModel
import TockNATS
import TockWire

/// The leader's reader of `tock.done.<shard>`: commits each batch of completions as "done" through the log, and only
/// then acks them (Sources/ARCHITECTURE.md, invariant 4). A message that is not a `Completion` this shard could accept
/// (`CompletionCheck`) is logged, terminated and counted, never retried.
final class CompletionConsumer: Sendable {
    private let shard: UInt32
    private let log: any ReplicatedLog
    private let link: NATSLink
    private let clock: any WallClock
    private let logger: Logger
    private let metrics: ShardMetrics
    private let batchSize: Int
    private let malformed = Atomic<Int>(0)

    init(
        shard: UInt32, log: any ReplicatedLog, link: NATSLink, clock: any WallClock, logger: Logger,
        metrics: ShardMetrics, batchSize: Int = 256
    ) {
        self.metrics = metrics
        self.shard = shard
        self.log = log
        self.link = link
        self.clock = clock
        self.logger = logger
        self.batchSize = batchSize
    }

    /// Messages terminated as unreadable or refused by `CompletionCheck`.
    var malformedCount: Int { malformed.load(ordering: .relaxed) }

    /// Runs until the task is cancelled; broker trouble is logged and retried, never fatal.
    func run() async {
        let loop = PullLoop(
            .init(
                stream: Subjects.doneStream, durable: Subjects.doneConsumer(shard: shard),
                filter: Subjects.done(shard: shard)),
            name: "completion consumer")
        await loop.run(
            link: link, logger: logger, room: { batchSize },
            deliver: { messages, _, _ in
                if !messages.isEmpty { await commit(messages) }
            })
    }

    /// The completion a message holds, if this shard may propose it (see `CompletionCheck`).
    private func admit(_ message: JetStreamMessage) throws(MessageProblem) -> Completion {
        guard message.headersReadable else { throw MessageProblem(.headers, "the header block cannot be read") }
        let completion: Completion
        do {
            completion = try Completion(decoding: message.payload)
        } catch {
            throw MessageProblem(.undecodable, "not a tock.v1.Completion: \(error)")
        }
        return try CompletionCheck.check(completion, shard: shard, nowNs: clock.nowNs())
    }

    private func commit(_ messages: [JetStreamMessage]) async {
        var completions: [Completion] = []
        var accepted: [JetStreamMessage] = []
        for message in messages {
            do {
                completions.append(try admit(message))
                accepted.append(message)
            } catch {
                malformed.add(1, ordering: .relaxed)
                metrics.rejected(subject: Subjects.doneFamily, error.reason)
                logger.error(
                    "completion refused and terminated",
                    metadata: [
                        "subject": "\(message.subject)", "reason": "\(error.reason.rawValue)", "error": "\(error)",
                    ])
                message.settle(.term, logger: logger)
            }
        }
        guard !completions.isEmpty else { return }
        do {
            _ = try await log.propose(.markDone(completions, atNs: clock.nowNs()))
            metrics.completed(completions)
            for completion in completions {
                logger.debug(
                    "run done",
                    metadata: [
                        "job": "\(completion.jobID)", "run": "\(completion.run)",
                        "outcome": "\(completion.outcome.rawValue)",
                        "attempts": "\(completion.attempts)", "executor": "\(completion.executorID)",
                    ])
            }
            for message in accepted { message.settle(.ack, logger: logger) }
        } catch {
            logger.error("cannot commit completions; they will be redelivered", metadata: ["error": "\(error)"])
            for message in accepted { message.settle(.nak(delay: .seconds(1)), logger: logger) }
        }
    }
}
