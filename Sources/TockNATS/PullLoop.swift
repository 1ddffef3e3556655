import Logging

/// The one loop that reads a durable pull consumer: the executor's runs, the shard's completions and the
/// executor's outcome events all go through it. It subscribes once the broker and the stream are there, fetches
/// only as many messages as its reader has room for, hands them over, and retries broker trouble with a back-off
/// that grows up to `maxRetryDelay` and starts again after a fetch that worked, until `stopping` says so or the
/// task is cancelled.
public struct PullLoop: Sendable {
    /// A durable consumer of `stream`, reading the subjects matching `filter`.
    public struct Consumer: Sendable {
        public let stream: String
        public let durable: String
        public let filter: String

        public init(stream: String, durable: String, filter: String) {
            self.stream = stream
            self.durable = durable
            self.filter = filter
        }
    }

    public let consumer: Consumer
    /// How long one fetch waits for messages.
    public let expires: Duration
    /// The longest wait between retries; 1 s retries every second.
    public let maxRetryDelay: Duration
    /// What the loop reads, in its log lines ("completions", "runs (high)").
    public let name: String

    public init(
        _ consumer: Consumer, name: String, expires: Duration = .seconds(1),
        maxRetryDelay: Duration = .seconds(1)
    ) {
        self.consumer = consumer
        self.name = name
        self.expires = expires
        self.maxRetryDelay = max(maxRetryDelay, .seconds(1))
    }

    /// Runs the loop for a reader:
    /// - `room` waits until at least one message can be taken and returns how many; nil stops the loop.
    /// - `deliver` gets the messages fetched, how many were asked for, and when the fetch was sent (JetStream's ack
    ///   wait starts when it sends a message, which may be well before the fetch returns). Room asked for and not
    ///   filled is the reader's to take back.
    /// - `failed` hears that a fetch failed: the room asked for went unused.
    /// - `subscribed` gets each new subscription. With `readerCloses`, the reader closes it (once the last message
    ///   fetched through it is settled); else the loop closes it when it returns.
    public func run(
        link: NATSLink, logger: Logger, stopping: @escaping @Sendable () -> Bool = { false },
        readerCloses: Bool = false, subscribed: (PullSubscription) -> Void = { _ in },
        room: () async -> Int?,
        deliver: (_ messages: [JetStreamMessage], _ asked: Int, _ requestedAt: ContinuousClock.Instant) async
            -> Void,
        failed: (_ asked: Int) -> Void = { _ in }
    ) async {
        var subscription: PullSubscription?
        defer { if !readerCloses { subscription?.close() } }
        var retryDelay: Duration = .zero
        while !stopping(), !Task.isCancelled {
            guard let asked = await room() else { break }
            guard !stopping() else {
                failed(asked)
                break
            }
            do {
                let current: PullSubscription
                if let subscription {
                    current = subscription
                } else {
                    current = try await link.pullSubscribe(
                        stream: consumer.stream, durable: consumer.durable, filter: consumer.filter, giveUp: stopping)
                    subscribed(current)
                    subscription = current
                }
                let requestedAt = ContinuousClock.now
                let messages = try await current.fetch(batch: asked, expires: expires)
                retryDelay = .zero
                await deliver(messages, asked, requestedAt)
            } catch {
                failed(asked)
                if error is CancellationError || stopping() || Task.isCancelled { break }
                retryDelay = retryDelay == .zero ? .seconds(1) : min(retryDelay * 2, maxRetryDelay)
                logger.warning(
                    "\(name): fetch failed; retrying",
                    metadata: ["error": "\(error)", "retry_in": "\(retryDelay)"])
                try? await Task.sleep(for: retryDelay)
            }
        }
    }
}
