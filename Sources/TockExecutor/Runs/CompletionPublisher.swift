import Logging
import Synchronization
import TockCore
import TockModel
import TockNATS
import TockWire

/// Publishes completions several to a message, as a `CompletionBatch` on `tock.done.<shard>`, so the broker stores,
/// delivers and acks each message once for many runs and the shard pulls and acks fewer messages.
///
/// A caller waits for the PubAck of the message that holds its completion, so a run's message is still acked only
/// after its completion is stored (Sources/ARCHITECTURE.md, invariant 3). One message is published at a time;
/// completions that arrive meanwhile go together in the next. At a low rate each goes alone and at once, under load
/// they group, and no timer ever holds one back.
final class CompletionPublisher: Sendable {
    /// A completion is at most about 2.5 KB (its error text is cut to 2,048 bytes), so a message stays far below
    /// the broker's 1 MB `max_payload`, and the shard's log entry for a pull of them stays small.
    static let maxPerMessage = 64

    private struct Waiting {
        let completion: Completion
        let answer: CheckedContinuation<Bool, Never>
    }

    private struct Queue {
        var waiting: [UInt32: [Waiting]] = [:]
        /// Shards with completions waiting, oldest first, so one busy shard cannot hold back another's.
        var shards: [UInt32] = []
        var publishing = false
        var sequence: UInt64 = 0
    }

    private let queue = Mutex(Queue())
    private let link: NATSLink
    private let executorID: String
    /// Tells this process's batches apart from an earlier one's with the same executor id, whose message ids the
    /// stream's duplicate window may still hold.
    private let boot = UInt64.random(in: 1...UInt64.max)
    private let logger: Logger

    init(link: NATSLink, executorID: String, logger: Logger) {
        self.link = link
        self.executorID = executorID
        self.logger = logger
    }

    /// True once the completion is stored in the stream; false when it could not be published (the run must be
    /// redelivered).
    func publish(_ completion: Completion) async -> Bool {
        await withCheckedContinuation { answer in
            let startPublishing = queue.withLock { queue -> Bool in
                if queue.waiting[completion.shard, default: []].isEmpty { queue.shards.append(completion.shard) }
                queue.waiting[completion.shard, default: []].append(Waiting(completion: completion, answer: answer))
                guard !queue.publishing else { return false }
                queue.publishing = true
                return true
            }
            if startPublishing { Task { await self.publishWaiting() } }
        }
    }

    private func publishWaiting() async {
        while let next = nextBatch() {
            let stored = await publish(next.batch.map(\.completion), shard: next.shard, sequence: next.sequence)
            for waiting in next.batch { waiting.answer.resume(returning: stored) }
        }
    }

    /// The next shard's oldest completions, up to `maxPerMessage`; nil (and publishing over) when none wait.
    private func nextBatch() -> (shard: UInt32, batch: [Waiting], sequence: UInt64)? {
        queue.withLock { queue in
            guard !queue.shards.isEmpty else {
                queue.publishing = false
                return nil
            }
            let shard = queue.shards.removeFirst()
            var waiting = queue.waiting.removeValue(forKey: shard) ?? []
            if waiting.count > Self.maxPerMessage {
                queue.waiting[shard] = Array(waiting[Self.maxPerMessage...])
                waiting.removeSubrange(Self.maxPerMessage...)
                queue.shards.append(shard)
            }
            queue.sequence += 1
            return (shard, waiting, queue.sequence)
        }
    }

    /// Publishes one batch and waits for its PubAck, retrying briefly under the same message id, so a try that was
    /// stored but not acknowledged is dropped as a duplicate when repeated.
    private func publish(_ completions: [Completion], shard: UInt32, sequence: UInt64) async -> Bool {
        let payload = CompletionBatch(completions: completions).encoded()
        let msgID = Subjects.completionBatchMessageID(executorID: executorID, boot: boot, sequence: sequence)
        for attempt in 1...5 {
            do {
                let js = try await link.jetStream()
                _ = try await js.publish(
                    subject: Subjects.done(shard: shard), payload: payload, msgID: msgID,
                    headers: [Subjects.completionCountHeader: "\(completions.count)"])
                return true
            } catch {
                logger.warning(
                    "cannot publish completions",
                    metadata: [
                        "completions": "\(completions.count)", "job": "\(completions[0].jobID)",
                        "attempt": "\(attempt)", "error": "\(error)",
                    ])
                try? await Task.sleep(for: .milliseconds(200 * attempt))
            }
        }
        return false
    }
}
