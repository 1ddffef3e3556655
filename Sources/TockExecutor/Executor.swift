import Foundation
import Logging
import Synchronization
import TockCore
import TockNATS
import TockWire

/// A stateless worker: pulls runs from the priority consumers, calls their webhooks, and reports each outcome
/// as a `Completion` before acking (DESIGN.md invariant 3), so a crash at any point means redelivery, never loss.
public final class Executor: Sendable {
    public let configuration: ExecutorConfiguration
    public let stats = ExecutorStats()
    private let link: NATSLink
    private let webhooks = WebhookClient()
    private let slots: AsyncSemaphore
    private let waiting: WaitingRuns
    /// The configuration now: `configuration` as started, then as reloaded (SIGHUP).
    private let live: Mutex<ExecutorConfiguration>
    private let draining = Atomic<Bool>(false)
    private let workTask = Mutex<Task<Void, Never>?>(nil)
    private let clock: any WallClock
    private let logger: Logger

    public init(configuration: ExecutorConfiguration, clock: any WallClock = SystemWallClock(), logger: Logger) {
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        self.link = NATSLink(url: configuration.natsURL, name: configuration.executorID, logger: logger)
        self.slots = AsyncSemaphore(capacity: configuration.concurrency)
        self.waiting = WaitingRuns(capacity: configuration.fetchBatch, priorities: configuration.priorities)
        self.live = Mutex(configuration)
    }

    /// Runs until the task is cancelled, or until a `drain` has let the runs in flight finish. Runs interrupted by
    /// cancellation, and runs fetched but not started, are nak'd for immediate redelivery.
    public func run() async {
        let work = Task {
            await withDiscardingTaskGroup { group in
                for priority in configuration.priorities {
                    group.addTask { await self.fetchLoop(priority: priority) }
                }
                group.addTask { await self.dispatchLoop() }
            }
        }
        workTask.withLock { $0 = work }
        await withTaskCancellationHandler { await work.value } onCancel: { work.cancel() }
        let unstarted = waiting.removeAll()
        for message in unstarted { try? message.nak() }
        if draining.load(ordering: .relaxed) {
            logger.info("drained", metadata: ["returned_unstarted": "\(unstarted.count)"])
        }
        await webhooks.shutdown()
        await link.close()
    }

    /// Stops fetching and starting runs, lets the runs in flight finish for up to `grace`, then interrupts the rest
    /// (nak'd for immediate redelivery); `run` returns when done. For SIGTERM: a drained executor causes no
    /// duplicate webhook calls, where a killed one may repeat the calls it had in flight.
    public func drain(grace: Duration) {
        guard !draining.exchange(true, ordering: .relaxed) else { return }
        logger.info("draining", metadata: ["in_flight": "\(stats.inFlight)", "grace": "\(grace)"])
        waiting.arrived.signal()
        let work = workTask.withLock { $0 }
        Task {
            try? await Task.sleep(for: grace)
            work?.cancel()
        }
    }

    private var isStopping: Bool { Task.isCancelled || draining.load(ordering: .relaxed) }

    /// The configuration in force (reloads included).
    public var settings: ExecutorConfiguration { live.withLock { $0 } }

    /// Applies a re-read queue config (SIGHUP): concurrency, fetch size, scheduling, weights, back-offs and ack
    /// waits change for runs started from now on; runs in flight finish as they are.
    public func reload(_ config: QueueConfig) {
        let settings = live.withLock { live -> ExecutorConfiguration in
            live.apply(config)
            return live
        }
        slots.resize(to: settings.concurrency)
        waiting.capacity = settings.fetchBatch
        logger.info("configuration reloaded", metadata: [
            "concurrency": "\(settings.concurrency)", "fetch_batch": "\(settings.fetchBatch)",
            "scheduling": "\(settings.scheduling.rawValue)",
            "weights": "\(Priority.allCases.map { "\($0.rawValue)=\(settings.weights[$0] ?? 1)" }.joined(separator: ","))",
        ])
    }

    /// Keeps `priority`'s waiting runs topped up from its consumer.
    private func fetchLoop(priority: Priority) async {
        var subscription: PullSubscription?
        defer { subscription?.close() }
        while !isStopping {
            let space = waiting.space(for: priority)
            guard space > 0 else {
                await waiting.waitForSpace(for: priority, timeout: .seconds(1))
                continue
            }
            do {
                if subscription == nil {
                    subscription = try await link.pullSubscribe(
                        stream: Subjects.jobsStream(priority: priority), durable: Subjects.executorConsumer(priority: priority),
                        filter: Subjects.jobsFilter(priority: priority))
                }
                guard let subscription else { continue }
                let messages = try await subscription.fetch(batch: space, expires: configuration.fetchExpires)
                stats.fetchedCounter.add(messages.count, ordering: .relaxed)
                stats.count(fetched: messages.count, priority: priority)
                waiting.add(messages, priority: priority, requested: space)
            } catch is CancellationError {
            } catch {
                waiting.fetchFailed(priority: priority)
                logger.warning("fetch failed; retrying",
                               metadata: ["priority": "\(priority.rawValue)", "error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// Starts a waiting run whenever a slot is free, choosing its priority by weight (or strictly by urgency).
    private func dispatchLoop() async {
        var picker = PriorityPicker(mode: configuration.scheduling, weights: configuration.weights)
        await withDiscardingTaskGroup { handlers in
            while !isStopping {
                _ = await slots.acquire()
                let settings = self.settings
                if settings.scheduling != picker.mode || settings.weights != picker.weights {
                    picker.update(mode: settings.scheduling, weights: settings.weights)
                }
                var next = waiting.next(using: &picker)
                while next == nil, !isStopping {
                    await waiting.arrived.wait(timeout: .seconds(1))
                    next = waiting.next(using: &picker)
                }
                guard !isStopping, let (priority, message) = next else {
                    if let (_, message) = next { try? message.nak() }
                    slots.release()
                    break
                }
                handlers.addTask {
                    defer { self.slots.release() }
                    await self.handle(message)
                    self.stats.count(finished: 1, priority: priority)
                }
            }
        }
    }

    func handle(_ message: JetStreamMessage) async {
        let run: JobRun
        do {
            run = try JobRun(decoding: message.payload)
        } catch {
            stats.malformedCounter.add(1, ordering: .relaxed)
            logger.error("malformed job message terminated",
                         metadata: ["subject": "\(message.subject)", "error": "\(error)"])
            try? message.term()
            return
        }
        stats.inFlightCounter.add(1, ordering: .relaxed)
        defer { stats.inFlightCounter.subtract(1, ordering: .relaxed) }
        let attempt = max(1, message.metadata.numDelivered)
        let startedAt = clock.nowNs()
        let result: WebhookResult
        do {
            result = try await deliverKeepingAlive(run, attempt: attempt, message: message)
        } catch {
            try? message.nak()
            return
        }
        var metadata: Logger.Metadata = ["job": "\(run.jobID)", "run": "\(run.run)", "attempt": "\(attempt)"]
        switch result {
        case .delivered(let status):
            let completion = makeCompletion(run, .succeeded, status: status, error: "", attempt: attempt,
                                            startedAt: startedAt)
            if await publish(completion) {
                stats.succeededCounter.add(1, ordering: .relaxed)
                try? message.ack()
                logger.debug("webhook delivered", metadata: metadata)
            } else {
                try? message.nak(delay: .seconds(1))
            }
        case .failed(let status, let error):
            metadata["error"] = "\(error)"
            if attempt >= UInt64(run.maxAttempts) {
                let completion = makeCompletion(run, .gaveUp, status: status ?? 0, error: error, attempt: attempt,
                                                startedAt: startedAt)
                if await publish(completion) {
                    stats.gaveUpCounter.add(1, ordering: .relaxed)
                    try? message.term()
                    logger.warning("webhook failed on its last attempt", metadata: metadata)
                } else {
                    try? message.nak(delay: .seconds(1))
                }
            } else {
                stats.retriedCounter.add(1, ordering: .relaxed)
                let delay = settings.backoff(for: run.priority, afterAttempt: attempt)
                try? message.nak(delay: delay)
                logger.info("webhook failed; will retry", metadata: metadata.merging(["retry_in": "\(delay)"]) { $1 })
            }
        }
    }

    /// Runs the webhook while telling JetStream, every half ack wait, that the message is still being worked on,
    /// so a slow but healthy call is not redelivered to another executor.
    private func deliverKeepingAlive(_ run: JobRun, attempt: UInt64, message: JetStreamMessage) async throws
        -> WebhookResult
    {
        let interval = settings.ackWait(for: run.priority) / 2
        guard Duration.milliseconds(Int64(run.timeoutMs)) >= interval else {
            return try await webhooks.deliver(run, attempt: attempt, executorID: configuration.executorID)
        }
        return try await withThrowingTaskGroup(of: WebhookResult?.self) { group in
            group.addTask { try await self.webhooks.deliver(run, attempt: attempt, executorID: self.configuration.executorID) }
            group.addTask {
                while !Task.isCancelled {
                    try await Task.sleep(for: interval)
                    try? message.inProgress()
                }
                return nil
            }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let result { return result }
            }
            throw CancellationError()
        }
    }

    private func makeCompletion(_ run: JobRun, _ outcome: Outcome, status: Int, error: String, attempt: UInt64,
                                startedAt: Int64) -> Completion
    {
        Completion(jobID: run.jobID, run: run.run, shard: run.shard, outcome: outcome, httpStatus: Int32(status),
                   attempts: UInt32(clamping: attempt), startedAtNs: startedAt, finishedAtNs: clock.nowNs(),
                   executorID: configuration.executorID,
                   // Protobuf-c strings are C strings: a NUL from a response body would cut the text short.
                   error: String(error.replacingOccurrences(of: "\0", with: "").prefix(1024)))
    }

    /// Publishes a completion and waits for its PubAck, retrying briefly. False means the run must be redelivered.
    private func publish(_ completion: Completion) async -> Bool {
        let payload = completion.encoded()
        let msgID = Subjects.completionMessageID(jobID: completion.jobID, run: completion.run)
        for attempt in 1...5 {
            do {
                let js = try await link.jetStream()
                _ = try await js.publish(subject: Subjects.done(shard: completion.shard), payload: payload, msgID: msgID)
                return true
            } catch {
                logger.warning("cannot publish completion",
                               metadata: ["job": "\(completion.jobID)", "attempt": "\(attempt)", "error": "\(error)"])
                try? await Task.sleep(for: .milliseconds(200 * attempt))
            }
        }
        return false
    }
}
