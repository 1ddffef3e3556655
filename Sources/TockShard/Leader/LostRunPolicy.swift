import TockCore
import TockModel
import TockNATS
import TockWire

/// Which published runs reconciliation looks up in their stream, and what it concludes from the answer. Pure: no
/// clock, no broker, no database.
///
/// A run is **overdue** once it has been published for longer than `threshold`: the larger of `minimumAgeNs`
/// and `inFlightBound`, the longest JetStream can legitimately keep the run's message before a final outcome
/// when every executor works — each of its attempts (the job's `max_attempts`, fewer when the consumer's
/// `max_deliver` is lower) may take the job's timeout plus one ack wait (an executor lost mid-call is noticed
/// only when the ack wait runs out), and the back-off schedule's delays separate them. With the defaults
/// (5 attempts of 30 s, ack wait 60 s, back-off 1, 2, 4, 8 s) that is 465 s. A run can sit in the stream longer
/// still (no executor running, a backlog), which is why an overdue run is looked up before anything is done.
///
/// A run looked up is **lost** when the stream holds no message at its sequence, or holds one that is not this
/// run's (a stream deleted and created again numbers from 1 again). Still, a message is also gone once an
/// executor finished the run and acked it; its completion then waits in `TOCK_DONE`, published before the ack.
/// So a lost run is republished only once `completionsSettled`: every completion that was in `TOCK_DONE` when
/// the run was looked up has been committed (and acked by the leader), and the run is still not done.
struct LostRunPolicy: Sendable {
    /// No run is looked up sooner than this after its publish, however short its bound.
    var minimumAgeNs: Int64
    var queues: QueueConfig

    init(minimumAgeNs: Int64, queues: QueueConfig = QueueConfig()) {
        self.minimumAgeNs = max(0, minimumAgeNs)
        self.queues = queues
    }

    /// See the type's comment; saturates rather than overflows.
    func inFlightBoundNs(priority: Priority, maxAttempts: UInt32, timeoutMs: UInt32) -> Int64 {
        let queue = queues[priority]
        var attempts = UInt64(max(1, maxAttempts))
        if queue.consumer.maxDeliver > 0 { attempts = min(attempts, UInt64(queue.consumer.maxDeliver)) }
        let perAttempt = queue.consumer.ackWaitNs.saturatingAdding(Int64(timeoutMs).saturatingMultiplied(by: 1_000_000))
        var bound = perAttempt.saturatingMultiplied(by: Int64(attempts))
        // The schedule's steps, then its last step for every further gap: a run of many attempts costs no loop.
        let gaps = attempts - 1
        let steps = queue.backoffNs.prefix(Int(min(gaps, UInt64(queue.backoffNs.count))))
        for step in steps { bound = bound.saturatingAdding(step) }
        if let last = queue.backoffNs.last, gaps > UInt64(steps.count) {
            bound = bound.saturatingAdding(last.saturatingMultiplied(by: Int64(gaps - UInt64(steps.count))))
        }
        return bound
    }

    func thresholdNs(priority: Priority, maxAttempts: UInt32, timeoutMs: UInt32) -> Int64 {
        max(minimumAgeNs, inFlightBoundNs(priority: priority, maxAttempts: maxAttempts, timeoutMs: timeoutMs))
    }

    func isOverdue(_ run: PublishedRunRow, nowNs: Int64) -> Bool {
        let threshold = thresholdNs(priority: run.priority, maxAttempts: run.maxAttempts, timeoutMs: run.timeoutMs)
        return nowNs.saturatingSubtracting(run.publishedAtNs) >= threshold
    }

    enum Verdict: Sendable, Equatable {
        /// The run's message is in the stream: an executor will get to it, or has it now.
        case inStream
        /// Nothing of this run's is at its sequence.
        case gone
    }

    /// What the stream's answer for `run`'s sequence says: `stored` is the message there, nil when none.
    static func verdict(_ stored: StoredMessage?, for run: PublishedRunRow) -> Verdict {
        guard let stored, let id = stored.messageID,
            Subjects.isMessageID(id, ofJob: run.jobID, run: run.run)
        else { return .gone }
        return .inStream
    }

    /// Whether every completion `TOCK_DONE` held when `doneLastSequence` was read (after the runs were looked up)
    /// has been acked by this shard's consumer, which acks only what it committed: none waiting or delivered
    /// unacked, or its ack floor at or past that sequence. `consumer` must be read after `doneLastSequence`.
    static func completionsSettled(doneLastSequence: UInt64, consumer: ConsumerState) -> Bool {
        completionsSettled(
            doneLastSequence: doneLastSequence, pending: consumer.numPending,
            ackPending: consumer.numAckPending, ackFloor: consumer.ackFloorStreamSequence)
    }

    static func completionsSettled(doneLastSequence: UInt64, pending: UInt64, ackPending: Int, ackFloor: UInt64)
        -> Bool
    {
        (pending == 0 && ackPending == 0) || ackFloor >= doneLastSequence
    }
}
