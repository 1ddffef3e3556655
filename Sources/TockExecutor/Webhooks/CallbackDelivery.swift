import Logging
import TockConcurrency
import TockCore
import TockModel
import TockNATS
import TockWire

/// Delivers jobs' callbacks: pulls outcome events from TOCK_EVENTS through the executors' shared durable consumer
/// (`tock-callbacks`), and for an event whose job set `callback_url` (any outcome) or `failure_callback_url` (a
/// failure) POSTs the signed outcome there, through the egress guard and with a webhook's answer bound. An event
/// without a callback is acked at once.
///
/// A callback that fails and may be retried (408, 429, 5xx, no answer) is nak'd with the priority's back-off
/// (or a longer `Retry-After`) until the event has been delivered the job's `max_attempts` times; a refused one
/// (other 4xx, 3xx, the egress guard) is terminated. When an event has both callbacks, a retry sends both again:
/// callbacks are at least once, and a receiver dedupes by `webhook-id`.
final class CallbackDelivery: Sendable {
    /// Callbacks wait at most this long for an answer, whatever the job's timeout: well inside the consumer's
    /// ack wait (60 s), so a slow receiver never gets the event redelivered to another executor meanwhile.
    static let maxTimeoutMs: UInt32 = 30_000

    private let link: NATSLink
    private let webhooks: WebhookClient
    private let settings: @Sendable () -> ExecutorConfiguration
    private let metrics: ExecutorMetrics
    private let outcomePolicy = WebhookOutcomePolicy()
    private let logger: Logger
    private let concurrency: Int

    init(
        link: NATSLink, webhooks: WebhookClient, settings: @escaping @Sendable () -> ExecutorConfiguration,
        metrics: ExecutorMetrics, logger: Logger, concurrency: Int = 16
    ) {
        self.link = link
        self.webhooks = webhooks
        self.settings = settings
        self.metrics = metrics
        self.logger = logger
        self.concurrency = max(1, concurrency)
    }

    /// Runs until `stopping` says so or the task is cancelled; callbacks in flight finish (or are handed back)
    /// before it returns. At most `concurrency` callbacks are in flight, and only as many events are fetched as
    /// can start at once, so a slow receiver holds up one slot, not the others, and no event ages in the executor.
    func run(stopping: @escaping @Sendable () -> Bool) async {
        let slots = AsyncSemaphore(capacity: concurrency)
        let concurrency = self.concurrency
        // A deployment whose TOCK_EVENTS is not created yet (`tock nats apply`) is retried ever more slowly.
        let loop = PullLoop(
            .init(
                stream: Subjects.eventsStream, durable: Subjects.callbackConsumer,
                filter: Subjects.eventsFilter),
            name: "callbacks", maxRetryDelay: .seconds(30))
        // Closed once the callbacks in flight are settled: a message's ack goes through its subscription.
        var subscription: PullSubscription?
        await withDiscardingTaskGroup { group in
            await loop.run(
                link: link, logger: logger, stopping: stopping, readerCloses: true,
                subscribed: { subscription = $0 },
                room: { await slots.acquire(upTo: concurrency) },
                deliver: { messages, asked, _ in
                    slots.release(asked - messages.count)
                    for message in messages {
                        group.addTask {
                            defer { slots.release() }
                            await self.handle(message)
                        }
                    }
                },
                failed: { asked in slots.release(asked) })
        }
        subscription?.close()
    }

    /// Delivers one event's callbacks, then acks, naks or terminates it.
    func handle(_ message: JetStreamMessage) async {
        let event: OutcomeEvent
        do {
            event = try OutcomeEvent(decoding: message.payload)
        } catch {
            logger.error(
                "outcome event refused and terminated",
                metadata: ["subject": "\(message.subject)", "error": "\(error)"])
            message.settle(.term, logger: logger)
            return
        }
        let callbacks = event.callbacks
        guard !callbacks.isEmpty else {
            message.settle(.ack, logger: logger)
            return
        }
        let attempt = max(1, message.metadata.numDelivered)
        let settings = settings()
        var retry: Duration?
        var refused = false
        for (kind, url) in callbacks {
            let result: WebhookResult
            do {
                result = try await webhooks.post(
                    json: CallbackPayload.body(of: event), to: url, id: CallbackPayload.messageID(of: event, kind),
                    headers: [
                        ("Tock-Job-Id", event.jobID), ("Tock-Run", "\(event.run)"),
                        ("Tock-Callback", kind.rawValue), ("Tock-Attempt", "\(attempt)"),
                    ],
                    timeoutMs: min(max(event.timeoutMs, 1), Self.maxTimeoutMs), egress: settings.egress)
            } catch {
                message.settle(.nak(), logger: logger)
                return
            }
            var metadata: Logger.Metadata = [
                "job": "\(event.jobID)", "run": "\(event.run)", "callback": "\(kind.rawValue)", "attempt": "\(attempt)",
            ]
            switch result {
            case .delivered:
                logger.debug("callback delivered", metadata: metadata)
            case .permanentFailure(_, let error):
                metadata["error"] = "\(error)"
                logger.warning("callback refused by its receiver; not retrying", metadata: metadata)
                refused = true
            case .refused(let reason, let error):
                metadata["error"] = "\(error)"
                metrics.egressRefused(reason: reason)
                logger.warning("callback target refused by the egress guard; not retrying", metadata: metadata)
                refused = true
            case .retryableFailure(_, let error, let requested):
                metadata["error"] = "\(error)"
                let delay = outcomePolicy.redeliveryDelay(
                    backoff: settings.backoff(for: event.priority, afterAttempt: attempt), requested: requested)
                retry = max(retry ?? .zero, delay)
                logger.info("callback failed", metadata: metadata)
            }
        }
        if let retry, attempt < UInt64(max(event.maxAttempts, 1)) {
            message.settle(.nak(delay: retry), logger: logger)
        } else if retry != nil || refused {
            message.settle(.term, logger: logger)
        } else {
            message.settle(.ack, logger: logger)
        }
    }
}
