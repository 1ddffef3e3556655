import CNats
import Synchronization

/// Receives the callbacks of an `AsyncSubscription`, on cnats' delivery thread for that subscription.
protocol AsyncSubscriptionDelegate: AnyObject, Sendable {
    /// Owns `message`: must copy what it needs and `natsMsg_Destroy` it exactly once before returning.
    func receive(_ message: OpaquePointer)
    /// The subscription is closed (unsubscribed, drained or its connection closed) and no message
    /// callback is running or will run again.
    func subscriptionDidComplete()
}

/// A cnats asynchronous (callback) subscription whose delegate stays alive while cnats may call it.
///
/// Lifetime: the closure pointer handed to cnats is a retained `CallbackContext` holding the
/// delegate and this object. cnats' on-complete callback is the only place that releases it: a
/// message callback can still run after `natsSubscription_Unsubscribe` or `_Drain` return, so
/// releasing any earlier could free the delegate under a running callback. The `natsSubscription*`
/// is destroyed in `deinit`, which cannot come before on-complete (the context retains `self`), so
/// `natsSubscription_Destroy` never unsubscribes (or cuts a drain short) by itself.
final class AsyncSubscription: Sendable {
    let subject: String
    /// Set once, right after subscribing; read without further coordination because the pointer
    /// stays valid until `deinit`.
    private let pointer = Mutex<CHandle?>(nil)

    private init(subject: String) {
        self.subject = subject
    }

    /// Subscribes `subject` (in queue group `queue` if given) with `delegate` receiving the messages.
    static func subscribe(
        connection: NATSConnection,
        subject: String,
        queue: String?,
        delegate: any AsyncSubscriptionDelegate
    ) throws -> AsyncSubscription {
        let subscription = AsyncSubscription(subject: subject)
        let context = Unmanaged.passRetained(CallbackContext(delegate: delegate, subscription: subscription))
        let closure = context.toOpaque()
        var created: OpaquePointer?
        do {
            try connection.withConnection { nc in
                if let queue {
                    try natsCheck(
                        natsConnection_QueueSubscribe(&created, nc, subject, queue, asyncSubscriptionMessage, closure),
                        "subscribe to \(subject) in queue group \(queue)")
                } else {
                    try natsCheck(
                        natsConnection_Subscribe(&created, nc, subject, asyncSubscriptionMessage, closure),
                        "subscribe to \(subject)")
                }
            }
        } catch {
            // No subscription, so cnats holds no copy of the closure pointer.
            context.release()
            throw error
        }
        subscription.pointer.withLock { $0 = created.map(CHandle.init) }
        let status = natsSubscription_SetOnCompleteCB(created, asyncSubscriptionComplete, closure)
        if status != NATS_OK {
            // Only possible if the subscription is already closed (connection closed in between).
            // A message callback might still be running, so the context can never be released
            // safely: leak it (one small object) rather than risk a use-after-free.
            let error = NATSError.make(status, operation: "set on-complete callback for \(subject)")
            _ = natsSubscription_Unsubscribe(created)
            throw error
        }
        return subscription
    }

    /// Stops interest, lets cnats deliver what it already holds, then closes (on-complete follows).
    /// Does not wait. Past `timeout` cnats closes the subscription and drops what is left.
    @discardableResult
    func drain(timeout: Duration) -> natsStatus {
        guard let pointer = pointer.withLock({ $0 })?.pointer else { return NATS_INVALID_SUBSCRIPTION }
        return natsSubscription_DrainTimeout(pointer, max(timeout.cnatsMilliseconds, 1))
    }

    deinit {
        if let pointer = pointer.withLock({ $0 })?.pointer {
            natsSubscription_Destroy(pointer)
        }
    }
}

/// What cnats' closure pointer refers to (retained from subscribe until on-complete).
private final class CallbackContext {
    let delegate: any AsyncSubscriptionDelegate
    let subscription: AsyncSubscription

    init(delegate: any AsyncSubscriptionDelegate, subscription: AsyncSubscription) {
        self.delegate = delegate
        self.subscription = subscription
    }
}

/// cnats' natsMsgHandler: runs on the subscription's delivery thread and owns `message`.
private func asyncSubscriptionMessage(
    _ connection: OpaquePointer?,
    _ subscription: OpaquePointer?,
    _ message: OpaquePointer?,
    _ closure: UnsafeMutableRawPointer?
) {
    guard let message else { return }
    guard let closure else {
        natsMsg_Destroy(message)
        return
    }
    let context = Unmanaged<CallbackContext>.fromOpaque(closure).takeUnretainedValue()
    context.delegate.receive(message)
}

/// cnats' natsOnCompleteCB: the last callback for the subscription, so the context is released here.
private func asyncSubscriptionComplete(_ closure: UnsafeMutableRawPointer?) {
    guard let closure else { return }
    let context = Unmanaged<CallbackContext>.fromOpaque(closure).takeRetainedValue()
    context.delegate.subscriptionDidComplete()
}
