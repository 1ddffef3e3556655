import Foundation
import Logging
import Synchronization
import TockConcurrency
import TockCore
import TockModel
import TockNATS
import TockWire

/// A stateless worker: pulls runs from the priority consumers, calls their webhooks, and reports each outcome as a
/// `Completion` before acking (Sources/ARCHITECTURE.md, invariant 3), so a crash at any point means redelivery, never
/// loss. It also delivers jobs' callbacks from the outcome events (`CallbackDelivery`).
public final class Executor: Sendable {
    public let configuration: ExecutorConfiguration
    public let stats: ExecutorStats
    public let metrics: ExecutorMetrics
    let link: NATSLink
    let webhooks: WebhookClient
    let completions: CompletionPublisher
    let natsMessages: NATSMessageDelivery
    let outcomePolicy = WebhookOutcomePolicy()
    private let slots: AsyncSemaphore
    private let waiting: WaitingRuns
    private let inHand = RunsInHand()
    /// The fetchers' subscriptions, closed only once every run fetched through them is acked or handed back.
    private let subscriptions = Mutex<[PullSubscription]>([])
    /// The configuration now: `configuration` as started, then as reloaded (SIGHUP).
    let live: Mutex<ExecutorConfiguration>
    /// Counts reloads, so the dispatch loop re-reads the scheduling only after one rather than for every run.
    private let reloads = Atomic<Int>(0)
    private let draining = Atomic<Bool>(false)
    private let workTask = Mutex<Task<Void, Never>?>(nil)
    let hostSlots: HostConcurrencyLimiter
    let breakers: HostCircuitBreakers
    let deferrals = Mutex(BreakerDeferrals())
    let clock: any WallClock
    let logger: Logger
    /// Removes a finished run's message once its completion is published (`settleFinishedRun`); a seam through
    /// which tests make that fail.
    let settle: @Sendable (JetStreamMessage, Outcome) throws -> Void

    public convenience init(
        configuration: ExecutorConfiguration, clock: any WallClock = SystemWallClock(),
        logger: Logger
    ) {
        self.init(configuration: configuration, clock: clock, logger: logger, settle: Executor.settleFinishedRun)
    }

    init(
        configuration: ExecutorConfiguration, clock: any WallClock, logger: Logger,
        settle: @escaping @Sendable (JetStreamMessage, Outcome) throws -> Void
    ) {
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        self.settle = settle
        self.link = NATSLink(
            url: configuration.natsURL, security: configuration.natsSecurity,
            name: configuration.executorID, logger: logger)
        self.slots = AsyncSemaphore(capacity: configuration.concurrency)
        self.waiting = WaitingRuns(capacity: configuration.fetchBatch, priorities: configuration.priorities)
        self.live = Mutex(configuration)
        self.hostSlots = HostConcurrencyLimiter(limitPerHost: configuration.perHostConcurrency)
        self.breakers = HostCircuitBreakers(policy: configuration.circuitBreaker, clock: clock)
        self.metrics = ExecutorMetrics(concurrency: configuration.concurrency)
        self.stats = ExecutorStats(breakers: breakers, metrics: metrics)
        self.natsMessages = NATSMessageDelivery(link: link)
        self.completions = CompletionPublisher(
            link: link, executorID: configuration.executorID, logger: logger)
        self.webhooks = WebhookClient(signer: configuration.webhookSigner, policy: outcomePolicy, clock: clock)
    }

    /// Runs until the task is cancelled, or until a `drain` has let the runs in flight finish. Runs interrupted by
    /// cancellation, and runs fetched but not started, are nak'd for immediate redelivery.
    public func run() async {
        let work = Task {
            await withDiscardingTaskGroup { group in
                for priority in configuration.priorities {
                    group.addTask { await self.fetchLoop(priority: priority) }
                }
                if configuration.deliverCallbacks {
                    let callbacks = CallbackDelivery(
                        link: link, webhooks: webhooks, settings: { self.settings },
                        metrics: metrics, logger: logger)
                    group.addTask { await callbacks.run(stopping: { self.isStopping }) }
                }
                group.addTask { await self.sendHeartbeats() }
                group.addTask {
                    // Runs started are kept alive until the dispatcher has seen every one of them end (a drain
                    // included).
                    await withDiscardingTaskGroup { dispatching in
                        dispatching.addTask { await self.keepRunsAlive() }
                        await self.dispatchLoop()
                        dispatching.cancelAll()
                    }
                }
            }
        }
        workTask.withLock { $0 = work }
        await withTaskCancellationHandler {
            await work.value
        } onCancel: {
            work.cancel()
        }
        let unstarted = waiting.removeAll()
        for message in unstarted { message.settle(.nak(), logger: logger) }
        for subscription in subscriptions.withLock({ $0 }) { subscription.close() }
        if draining.load(ordering: .relaxed) {
            logger.info("drained", metadata: ["returned_late": "\(unstarted.count)"])
        }
        await webhooks.shutdown()
        await link.close()
    }

    /// Stops fetching and starting runs, lets the runs in flight finish for up to `grace`, then interrupts the rest
    /// (nak'd for immediate redelivery); `run` returns when done. For SIGTERM: a drained executor causes no
    /// duplicate webhook calls, where a killed one may repeat the calls it had in flight.
    public func drain(grace: Duration) {
        guard !draining.exchange(true, ordering: .relaxed) else { return }
        // Runs not started go back now, so another executor can take them while the ones in flight finish.
        let unstarted = waiting.removeAll()
        for message in unstarted { message.settle(.nak(), logger: logger) }
        logger.info(
            "draining",
            metadata: [
                "in_flight": "\(stats.inFlight)", "returned_unstarted": "\(unstarted.count)", "grace": "\(grace)",
            ])
        waiting.arrived.signal()
        let work = workTask.withLock { $0 }
        Task {
            try? await Task.sleep(for: grace)
            work?.cancel()
        }
    }

    var isStopping: Bool { Task.isCancelled || draining.load(ordering: .relaxed) }

    /// `/metrics` in the Prometheus text format.
    public func prometheusExposition() -> String {
        metrics.exposition(openCircuits: stats.openCircuits)
    }

    /// Ready when connected to NATS, bound to every priority's consumer, and not draining (`GET /readyz`).
    public func readiness() async -> Readiness {
        let connected = await link.isConnected
        let bound = subscriptions.withLock { $0.count }
        let wanted = configuration.priorities.count
        let draining = draining.load(ordering: .relaxed)
        return Readiness([
            .init(
                "nats", ok: connected,
                connected
                    ? "connected"
                    : "not connected to \(redactingNATSCredentials(configuration.natsURL))"),
            .init("consumers", ok: bound >= wanted, "\(bound) of \(wanted) priority consumers bound"),
            .init("draining", ok: !draining, draining ? "draining: taking no new runs" : "taking runs"),
        ])
    }

    /// The configuration in force (reloads included). A whole copy: on a run's path, read the one field it needs
    /// under the lock instead (`live.withLock { $0.egress }`), which costs no retain of every other field.
    public var settings: ExecutorConfiguration { live.withLock { $0 } }

    /// Applies a re-read queue config (SIGHUP): concurrency, fetch size, scheduling, weights, back-offs, ack
    /// waits and the egress allow-list change for runs started from now on; runs in flight finish as they are.
    public func reload(_ config: QueueConfig) {
        let settings = live.withLock { live -> ExecutorConfiguration in
            live.apply(config)
            return live
        }
        reloads.add(1, ordering: .releasing)
        slots.resize(to: settings.concurrency)
        metrics.concurrencyLimit(settings.concurrency)
        waiting.capacity = settings.fetchBatch
        logger.info(
            "configuration reloaded",
            metadata: [
                "concurrency": "\(settings.concurrency)", "fetch_batch": "\(settings.fetchBatch)",
                "scheduling": "\(settings.scheduling.rawValue)",
                "egress_allowed": "\(settings.egress.entries.joined(separator: ","))",
                "weights":
                    "\(Priority.allCases.map { "\($0.rawValue)=\(settings.weights[$0] ?? 1)" }.joined(separator: ","))",
            ])
    }

    /// Keeps `priority`'s waiting runs topped up from its consumer.
    private func fetchLoop(priority: Priority) async {
        let loop = PullLoop(
            .init(
                stream: Subjects.jobsStream(priority: priority), durable: Subjects.executorConsumer(priority: priority),
                filter: Subjects.jobsFilter(priority: priority)),
            name: "runs (\(priority.rawValue))", expires: configuration.fetchExpires)
        // The subscription is closed by `run` only once every run fetched through it is acked or handed back.
        await loop.run(
            link: link, logger: logger, stopping: { self.isStopping }, readerCloses: true,
            subscribed: { subscription in subscriptions.withLock { $0.append(subscription) } },
            room: {
                while !isStopping {
                    let space = waiting.space(for: priority)
                    if space > 0 { return space }
                    await waiting.waitForSpace(for: priority, timeout: .seconds(1))
                }
                return nil
            },
            deliver: { messages, asked, requestedAt in
                stats.fetched(messages.count, priority: priority)
                waiting.add(messages, priority: priority, requested: asked, deliveredAfter: requestedAt)
            },
            failed: { _ in waiting.fetchFailed(priority: priority) })
    }

    /// Tells JetStream, every third of the ack wait, that runs waiting for a slot, and runs started and not yet
    /// acked or handed back, are still in hand.
    private func keepRunsAlive() async {
        while !Task.isCancelled {
            let settings = self.settings
            for priority in configuration.priorities {
                waiting.keepAlive(priority: priority, every: settings.ackWait(for: priority) / 3)
            }
            inHand.keepAlive()
            try? await Task.sleep(for: .milliseconds(250))
        }
    }

    /// Starts a waiting run whenever a slot is free, choosing its priority by weight (or strictly by urgency).
    private func dispatchLoop() async {
        var picker = PriorityPicker(mode: configuration.scheduling, weights: configuration.weights)
        var reloadsSeen = 0
        await withDiscardingTaskGroup { handlers in
            while !isStopping {
                _ = await slots.acquire()
                let reloadsNow = reloads.load(ordering: .acquiring)
                if reloadsNow != reloadsSeen {
                    reloadsSeen = reloadsNow
                    let (mode, weights) = live.withLock { ($0.scheduling, $0.weights) }
                    if mode != picker.mode || weights != picker.weights { picker.update(mode: mode, weights: weights) }
                }
                var next = waiting.next(using: &picker)
                while next == nil, !isStopping {
                    await waiting.arrived.wait(timeout: .seconds(1))
                    next = waiting.next(using: &picker)
                }
                guard !isStopping, let next else {
                    if let next { next.message.settle(.nak(), logger: logger) }
                    slots.release()
                    break
                }
                handlers.addTask {
                    defer { self.slots.release() }
                    await self.handle(next.message, priority: next.priority, touched: next.touched)
                    self.stats.count(finished: 1, priority: next.priority)
                }
            }
        }
    }

    /// `priority`: the consumer the message came from. `touched`: when JetStream last heard of the message (its
    /// delivery, or a keep-alive while it waited).
    func handle(_ message: JetStreamMessage, priority: Priority, touched: ContinuousClock.Instant) async {
        let run: JobRun
        do {
            run = try admit(message)
        } catch {
            stats.rejected(priority: priority, error.reason)
            logger.error(
                "job message refused and terminated",
                metadata: [
                    "subject": "\(message.subject)", "reason": "\(error.reason.rawValue)", "error": "\(error)",
                ])
            message.settle(.term, logger: logger)
            return
        }
        stats.started(priority: run.priority)
        defer {
            stats.ended(priority: run.priority)
        }
        let runKey = "\(run.jobID)/\(run.run)"
        // A run the shard made again after a failed attempt its flow paced goes on counting from there.
        let delivered = attemptNumber(of: message, runKey: runKey)
        let (sum, overflow) = UInt64(run.attemptsBefore).addingReportingOverflow(delivered)
        let attempt = overflow ? .max : sum
        let startedAt = clock.nowNs()
        // Kept alive until the message is acked or handed back, not only during the call: the wait for a host
        // slot has no bound, and publishing the completion waits for a PubAck; a broker slow to give it must not
        // see the run as abandoned and redeliver it to another executor (a repeated call).
        let ackWait = live.withLock { $0.ackWait(for: run.priority) }
        let held = inHand.hold(message, touched: touched, interval: ackWait / 3)
        defer { inHand.release(held) }
        let result: WebhookResult
        switch run.destination {
        case .webhook:
            let host = TargetHost.key(of: run.target.url)
            do {
                switch try await callHost(host, run, attempt: attempt) {
                case .deferred(let delay):
                    deferRun(message, run, runKey: runKey, host: host, for: delay)
                    return
                case .called(let called): result = called
                }
            } catch {
                message.settle(.nak(), logger: logger)
                return
            }
        case .nats(let message):
            result = await deliverWithoutHTTP(run, publishing: message, attempt: attempt)
        case .timer:
            result = await deliverWithoutHTTP(run, publishing: nil, attempt: attempt)
        }
        await conclude(message, run, result, attempt: attempt, runKey: runKey, startedAt: startedAt)
    }

    /// The run a message holds, if it may be called (see `JobRunCheck`).
    private func admit(_ message: JetStreamMessage) throws(MessageProblem) -> JobRun {
        guard message.headersReadable else { throw MessageProblem(.headers, "the header block cannot be read") }
        let run: JobRun
        do {
            run = try JobRun(decoding: message.payload)
        } catch {
            throw MessageProblem(.undecodable, "not a tock.v1.JobRun: \(error)")
        }
        return try JobRunCheck.check(run, subject: message.subject, nowNs: clock.nowNs())
    }

    /// The host's breaker kept the call back: the message goes back for `delay`, and the delivery is remembered
    /// so that it is not counted as an attempt when the run comes back (see `BreakerDeferrals`).
    private func deferRun(
        _ message: JetStreamMessage, _ run: JobRun, runKey: String, host: String,
        for delay: Duration
    ) {
        let now = clock.nowNs()
        deferrals.withLock { $0.recordDeferral(of: runKey, nowNs: now) }
        stats.record(.deferred, priority: run.priority)
        message.settle(.nak(delay: delay), logger: logger)
        logger.debug(
            "circuit open; run deferred without calling the host",
            metadata: ["job": "\(run.jobID)", "run": "\(run.run)", "host": "\(host)", "retry_in": "\(delay)"])
    }
}
