import CNats
import TockConcurrency

/// A JetStream context: stream/consumer management, pipelined publishing and pull subscriptions.
///
/// Keeps its `NATSConnection` alive. Publishing is asynchronous end to end: each `publish` hands
/// its message to cnats and suspends until that message's PubAck, error or timeout arrives, so
/// many concurrent callers share one pipelined stream of publishes.
public final class JetStream: Sendable {
    public let connection: NATSConnection
    public let publishTimeout: Duration
    let context: JetStreamContextHandle
    private let tracker: PublishTracker
    private let limiter: AsyncSemaphore

    /// Extra time the Swift backstop gives cnats' own MaxWait timer before failing a publish.
    private static let backstopGrace: Duration = .milliseconds(500)

    init(connection: NATSConnection, publishTimeout: Duration, maxPendingPublishes: Int) throws {
        guard maxPendingPublishes > 0, publishTimeout > .zero else {
            throw NATSError.local(NATS_INVALID_ARG, "publishTimeout and maxPendingPublishes must be positive")
        }
        var options = jsOptions()
        try natsCheck(jsOptions_Init(&options), "init JetStream options")
        // From here on the tracker is registered for callbacks and must be closed on failure.
        let tracker = PublishTracker()
        options.PublishAsync.AckHandler = publishAckHandler
        options.PublishAsync.AckHandlerClosure = UnsafeMutableRawPointer(bitPattern: tracker.token)
        // No cnats limit: past it js_PublishMsgAsync blocks the calling thread. `limiter` gates instead.
        options.PublishAsync.MaxPending = 0

        var context: OpaquePointer?
        do {
            try connection.withConnection { nc in
                try natsCheck(natsConnection_JetStream(&context, nc, &options), "create JetStream context")
            }
        } catch {
            tracker.close(reason: NATSError.local(NATS_ILLEGAL_STATE, "JetStream context was not created"))
            throw error
        }

        self.connection = connection
        self.publishTimeout = publishTimeout
        self.context = JetStreamContextHandle(context!)
        self.tracker = tracker
        self.limiter = AsyncSemaphore(capacity: maxPendingPublishes)
        PublishTracker.startSweeping(tracker, every: .milliseconds(250))
    }

    deinit {
        // Before the context is destroyed (after this body): jsCtx_Destroy frees pending
        // messages without calling back, and their addresses must not be looked up afterwards.
        tracker.close(reason: NATSError.local(NATS_CONNECTION_CLOSED, "JetStream context was released"))
    }

    /// Publishes handed to cnats whose PubAck, error or timeout has not arrived yet.
    public var pendingPublishes: Int { tracker.pendingCount }

    /// Publishes to JetStream and waits for the PubAck.
    ///
    /// Completes within `publishTimeout` (+0.75 s at worst) once admitted; admission waits while
    /// `maxPendingPublishes` publishes are in flight. A timeout does not mean the message was
    /// not stored: cnats keeps unsent data in its reconnect buffer and may deliver it after a
    /// reconnect, so retry with the same `msgID` to let the stream's duplicate window drop it.
    /// Task cancellation is not observed; the bound above applies instead.
    public func publish(
        subject: String,
        payload: [UInt8],
        msgID: String?,
        headers: [String: String] = [:]
    ) async throws -> PubAck {
        _ = await limiter.acquire()
        defer { limiter.release() }

        let message = try Self.makeMessage(subject: subject, payload: payload, msgID: msgID, headers: headers)
        let deadline = ContinuousClock.now + publishTimeout + Self.backstopGrace
        return try await withCheckedThrowingContinuation { continuation in
            // Registered before sending: the PubAck can arrive before js_PublishMsgAsync returns.
            guard tracker.register(message, continuation, deadline: deadline) else {
                natsMsg_Destroy(message)
                return
            }
            var options = jsPubOptions()
            _ = jsPubOptions_Init(&options)  // fails only for NULL
            options.MaxWait = publishTimeout.cnatsMilliseconds
            var owned: OpaquePointer? = message
            let status = js_PublishMsgAsync(context.pointer, &owned, &options)
            if status != NATS_OK {
                // cnats did not take the message, so no callback will come for it.
                let error = NATSError.make(status, operation: "publish to \(subject)")
                tracker.complete(message, with: .failure(error))
                natsMsg_Destroy(owned)
            }
        }
    }

    /// The headers in order, then `Nats-Msg-Id` (JetStream's duplicate window) when given.
    private static func makeMessage(
        subject: String,
        payload: [UInt8],
        msgID: String?,
        headers: [String: String]
    ) throws -> OpaquePointer {
        var fields = headers.map { (name: $0.key, value: $0.value) }
        if let msgID { fields.append((name: "Nats-Msg-Id", value: msgID)) }
        return try NATSHeaders.makeMessage(subject: subject, reply: nil, data: payload, headers: fields)
    }
}

/// Owns one `jsCtx*`.
///
/// Invariant: the pointer is immutable and destroyed only in `deinit`, when no Swift code can be
/// calling through it (cnats forbids destroying a context concurrently with calls on it). cnats
/// locks the context internally for the calls this module makes, and subscriptions retain it.
final class JetStreamContextHandle: @unchecked Sendable {
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        jsCtx_Destroy(pointer)
    }
}

extension JetStream {
    /// Binds to an existing durable pull consumer; never creates or changes it (use
    /// `ensureConsumer` first). `filter` must match the consumer's filter subject.
    public func pullSubscribe(stream: String, durable: String, filter: String) throws -> PullSubscription {
        try PullSubscription(jetStream: self, stream: stream, durable: durable, filter: filter)
    }
}
