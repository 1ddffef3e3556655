import CNats

/// A pull subscription bound to an existing durable consumer.
///
/// Fetches run on the subscription's own thread, one at a time; concurrent `fetch` calls queue.
/// Messages stay ackable after `close` (acks go through the connection, not the subscription).
public final class PullSubscription: Sendable {
    public let stream: String
    public let durable: String
    private let jetStream: JetStream
    private let handle: SubscriptionHandle
    private let worker: BlockingWorker

    init(jetStream: JetStream, stream: String, durable: String, filter: String) throws {
        var options = jsSubOptions()
        try natsCheck(jsSubOptions_Init(&options), "init subscribe options")
        var subscription: OpaquePointer?
        var code = jsErrCode(rawValue: 0)
        let status = stream.withCString { streamName in
            durable.withCString { consumerName in
                options.Stream = streamName
                options.Consumer = consumerName
                return js_PullSubscribe(&subscription, jetStream.context.pointer, filter, durable, nil, &options, &code)
            }
        }
        try natsCheck(status, jsCode: code, "pull subscribe to \(stream)/\(durable)")
        self.jetStream = jetStream
        self.stream = stream
        self.durable = durable
        self.handle = SubscriptionHandle(subscription!)
        self.worker = BlockingWorker(name: "nats-fetch-\(stream)-\(durable)")
    }

    /// Up to `batch` messages, waiting at most about `expires` for the first. No messages before
    /// the expiry is not an error: returns `[]`. Task cancellation is not observed; the wait is
    /// bounded by `expires`.
    public func fetch(batch: Int, expires: Duration) async throws -> [JetStreamMessage] {
        guard batch > 0, expires > .zero else {
            throw NATSError.local(NATS_INVALID_ARG, "fetch needs a positive batch and expiry")
        }
        let handle = handle
        let timeout = expires.cnatsMilliseconds
        return try await worker.run { try handle.fetch(batch: batch, timeoutMilliseconds: timeout) }
    }

    /// Unsubscribes (the durable consumer stays on the server). Idempotent. A fetch in progress
    /// returns early with an error; later fetches throw.
    public func close() {
        handle.unsubscribe()
        worker.shutdown()
    }

    deinit {
        close()
    }
}

/// Owns one `natsSubscription*`.
///
/// Invariant: the pointer is immutable and destroyed only in `deinit`. Fetched messages retain
/// this handle because `natsMsg_Ack` and friends dereference the message's subscription, which
/// must therefore outlive every message. `unsubscribed` is lock-protected so Unsubscribe runs
/// once; cnats locks the subscription internally, so Unsubscribe may run during a Fetch.
final class SubscriptionHandle: @unchecked Sendable {
    private let pointer: OpaquePointer
    private let unsubscribed = Locked(false)

    init(_ pointer: OpaquePointer) {
        self.pointer = pointer
    }

    /// Blocks up to `timeoutMilliseconds`: call only from a dedicated thread.
    func fetch(batch: Int, timeoutMilliseconds: Int64) throws -> [JetStreamMessage] {
        var list = natsMsgList()
        var code = jsErrCode(rawValue: 0)
        let status = natsSubscription_Fetch(&list, pointer, Int32(clamping: batch), timeoutMilliseconds, &code)
        // Read the error now: the conversions below may call into cnats and replace it.
        let error = status == NATS_OK || status == NATS_TIMEOUT
            ? nil : NATSError.make(status, jsCode: code, operation: "fetch")

        // Take every message out of the list before destroying it: natsMsgList_Destroy destroys
        // whatever is still in there.
        var taken: [MessageHandle] = []
        taken.reserveCapacity(Int(list.Count))
        for index in 0..<Int(list.Count) {
            if let message = list.Msgs[index] {
                list.Msgs[index] = nil
                taken.append(MessageHandle(message, subscription: self))
            }
        }
        natsMsgList_Destroy(&list)

        if let error { throw error }
        return try taken.map { try JetStreamMessage(handle: $0) }
    }

    func unsubscribe() {
        let first = unsubscribed.withLock { done -> Bool in
            defer { done = true }
            return !done
        }
        // Fails harmlessly if the connection is already closed; nothing to report to a closer.
        if first { _ = natsSubscription_Unsubscribe(pointer) }
    }

    deinit {
        natsSubscription_Destroy(pointer)
    }
}
