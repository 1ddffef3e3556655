import Logging
import Synchronization
import TockCore
import TockModel
import TockNATS
import TockWire

/// The leader's reader of `tock.done.<shard>`: commits each pull of completions as "done" through the log, and only
/// then acks their messages (Sources/ARCHITECTURE.md, invariant 4). A message holds one `Completion`, or several as
/// a `CompletionBatch` (what executors publish). A completion this shard could not accept (`CompletionCheck`) is
/// logged and counted, never retried; a message with none it could is terminated.
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

    /// Messages terminated as unreadable, and completions refused by `CompletionCheck`.
    var malformedCount: Int { malformed.load(ordering: .relaxed) }

    /// Runs until the task is cancelled; broker trouble is logged and retried, never fatal. `committed` hears the
    /// run keys of every batch committed as done (the due-timer frees their flows' concurrency).
    func run(committed: @escaping @Sendable ([String]) async -> Void = { _ in }) async {
        let loop = PullLoop(
            .init(
                stream: Subjects.doneStream, durable: Subjects.doneConsumer(shard: shard),
                filter: Subjects.done(shard: shard)),
            name: "completion consumer")
        await loop.run(
            link: link, logger: logger, room: { batchSize },
            deliver: { messages, _, _ in
                if !messages.isEmpty { await commit(messages, committed: committed) }
            })
    }

    /// The most completions proposed as one "done" entry: a pull of batches is split so that no log entry, and no
    /// append of up to 256 entries to a follower, grows with the executors' batch size.
    static let maxPerProposal = 256

    /// What one message brings: the completions this shard may propose, and the message to ack once they commit.
    private struct Admitted {
        let message: JetStreamMessage
        let completions: [Completion]
    }

    /// The completions a message holds: one `Completion`, or a `CompletionBatch` when it has the
    /// `Tock-Completions` header. Each is held to `CompletionCheck`; those refused are counted and logged, and the
    /// message goes on with the rest (none, when all are refused). A message that cannot be read is refused whole.
    private func admit(_ message: JetStreamMessage) throws(MessageProblem) -> [Completion] {
        guard message.headersReadable else { throw MessageProblem(.headers, "the header block cannot be read") }
        guard let countText = message.header(Subjects.completionCountHeader) else {
            let completion: Completion
            do {
                completion = try Completion(decoding: message.payload)
            } catch {
                throw MessageProblem(.undecodable, "not a tock.v1.Completion: \(error)")
            }
            return [try CompletionCheck.check(completion, shard: shard, nowNs: clock.nowNs())]
        }
        let batch: CompletionBatch
        do {
            batch = try CompletionBatch(decoding: message.payload)
        } catch {
            throw MessageProblem(.undecodable, "not a tock.v1.CompletionBatch: \(error)")
        }
        guard Int(countText) == batch.completions.count, !batch.completions.isEmpty else {
            throw MessageProblem(
                .headers, field: Subjects.completionCountHeader,
                "'\(countText.utf8Prefix(32))' is not the batch's \(batch.completions.count) completions")
        }
        let nowNs = clock.nowNs()
        var admitted: [Completion] = []
        for completion in batch.completions {
            do {
                admitted.append(try CompletionCheck.check(completion, shard: shard, nowNs: nowNs))
            } catch {
                refused(error, in: message)
            }
        }
        return admitted
    }

    private func refused(_ problem: MessageProblem, in message: JetStreamMessage) {
        malformed.add(1, ordering: .relaxed)
        metrics.rejected(subject: Subjects.doneFamily, problem.reason)
        logger.error(
            "completion refused",
            metadata: [
                "subject": "\(message.subject)", "reason": "\(problem.reason.rawValue)", "error": "\(problem)",
            ])
    }

    private func commit(_ messages: [JetStreamMessage], committed: @Sendable ([String]) async -> Void) async {
        var pending: [Admitted] = []
        for message in messages {
            let completions: [Completion]
            do {
                completions = try admit(message)
            } catch {
                refused(error, in: message)
                message.settle(.term, logger: logger)
                continue
            }
            // A batch of refused completions only: each is counted already.
            guard !completions.isEmpty else {
                message.settle(.term, logger: logger)
                continue
            }
            pending.append(Admitted(message: message, completions: completions))
        }
        // Whole messages per proposal (a message is acked or nak'd once), each proposal up to `maxPerProposal`
        // completions unless one message alone has more. In the stream's order, one after the other: of two
        // reports of one run, the first stored is the one committed (invariant 4).
        var proposals: [[Admitted]] = []
        var size = 0
        for admitted in pending {
            if proposals.isEmpty || size + admitted.completions.count > Self.maxPerProposal {
                proposals.append([])
                size = 0
            }
            proposals[proposals.count - 1].append(admitted)
            size += admitted.completions.count
        }
        for proposal in proposals { await propose(proposal, committed: committed) }
    }

    private func propose(_ admitted: [Admitted], committed: @Sendable ([String]) async -> Void) async {
        let completions = admitted.flatMap(\.completions)
        do {
            _ = try await log.propose(.markDone(completions, atNs: clock.nowNs()))
            metrics.completed(completions)
            await committed(completions.map { Subjects.runMessageID(jobID: $0.jobID, run: $0.run) })
            for completion in completions {
                logger.debug(
                    "run done",
                    metadata: [
                        "job": "\(completion.jobID)", "run": "\(completion.run)",
                        "outcome": "\(completion.outcome.rawValue)",
                        "attempts": "\(completion.attempts)", "executor": "\(completion.executorID)",
                    ])
            }
            for item in admitted { item.message.settle(.ack, logger: logger) }
        } catch {
            logger.error("cannot commit completions; they will be redelivered", metadata: ["error": "\(error)"])
            for item in admitted { item.message.settle(.nak(delay: .seconds(1)), logger: logger) }
        }
    }
}
