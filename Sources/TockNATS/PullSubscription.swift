import CNats
import Synchronization
import TockConcurrency

/// A pull subscription bound to an existing durable consumer.
///
/// Fetches run on the subscription's own thread, one at a time; concurrent `fetch` calls queue.
/// Messages stay ackable after `close` (acks go through the connection, not the subscription).
public final class PullSubscription: Sendable {
    public let stream: String
    public let durable: String
    private let jetStream: JetStream
    private let handle: SubscriptionHandle
    private let worker: BlockingPool

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
        self.worker = BlockingPool(name: "nats-fetch-\(stream)-\(durable)")
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
        do {
            return try await worker.run { try handle.fetch(batch: batch, timeoutMilliseconds: timeout) }
        } catch is BlockingPool.ShutDown {
            throw NATSError.local(NATS_INVALID_SUBSCRIPTION, "subscription is closed")
        }
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
    private let unsubscribed = Mutex(false)

    init(_ pointer: OpaquePointer) {
        self.pointer = pointer
    }

    /// Blocks up to `timeoutMilliseconds`: call only from a dedicated thread. May return fewer than `batch`.
    func fetch(batch: Int, timeoutMilliseconds: Int64) throws -> [JetStreamMessage] {
        // cnats 3.4.1 overflows the heap here. natsSubscription_Fetch first takes the messages already queued on the
        // subscription (late answers to earlier pull requests: a fetch that gave up just before the server answered,
        // or the requests cnats buffered while disconnected and sends again on reconnect), then asks the server for
        // `batch - taken` and overwrites its request's Batch with that; its loop ends only when the count equals the
        // new Batch. With more than half the batch already taken that never happens, and every message arriving
        // before the expiry is stored past the end of its `batch`-slot array (js.c `_fetch`; fixed upstream by
        // keeping the original batch in a local). That corrupted the executor's heap after a nats-server restart
        // (ops/chaos nats-kill). A batch of 1 cannot overflow, so queued messages are drained one per call, which
        // costs no round trip; a full batch is asked for only when nothing is queued.
        var queued: Int32 = 0
        var queuedBytes: Int32 = 0
        let queuedStatus = natsSubscription_GetPending(pointer, &queued, &queuedBytes)
        let size = queuedStatus == NATS_OK && queued == 0 ? Int32(clamping: batch) : 1
        var list = natsMsgList()
        var code = jsErrCode(rawValue: 0)
        let status = natsSubscription_Fetch(&list, pointer, size, timeoutMilliseconds, &code)
        // A message arriving between the check above and cnats' own can still start the bad path: fail loudly
        // rather than carry on with a corrupted heap.
        precondition(list.Count <= size, "cnats natsSubscription_Fetch wrote \(list.Count) messages into \(size) slots")
        // Read the error now: the conversions below may call into cnats and replace it.
        let error =
            status == NATS_OK || status == NATS_TIMEOUT
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
