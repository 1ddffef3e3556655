import CNats
import Foundation

extension NATSConnection {
    /// Serves requests on `subject` as a member of queue group `queue`: the server hands each
    /// request to one member of the group, so several nodes can serve the same subject.
    ///
    /// Each request runs `handler` in its own Task; its reply (with the reply's headers, in order)
    /// is published to the request's reply subject. A request without a reply subject (a plain
    /// publish) is handled and the reply dropped.
    ///
    /// At most `maxConcurrent` handlers run at once. Past that, cnats' delivery thread for this
    /// subscription waits for one to finish, so further requests queue in cnats' pending buffer
    /// (default 65,536 messages / 64 MB; beyond it cnats drops them as a slow consumer and their
    /// requesters time out) rather than as an unbounded number of Tasks.
    ///
    /// The subscription survives reconnects (cnats re-subscribes); replies published while
    /// disconnected wait in the reconnect buffer. Keep the returned service: releasing it drains
    /// the subscription as `stop` does, without waiting.
    public func serve(
        subject: String,
        queue: String,
        maxConcurrent: Int = 1024,
        handler: @escaping @Sendable (NATSRequest) async -> NATSReply
    ) throws -> NATSService {
        guard maxConcurrent > 0 else {
            throw NATSError.local(NATS_INVALID_ARG, "serve \(subject): maxConcurrent must be positive")
        }
        guard !queue.isEmpty else {
            throw NATSError.local(NATS_INVALID_ARG, "serve \(subject): queue group must not be empty")
        }
        let core = ServiceCore(connection: self, subject: subject, maxConcurrent: maxConcurrent, handler: handler)
        let subscription = try AsyncSubscription.subscribe(
            connection: self, subject: subject, queue: queue, delegate: core)
        return NATSService(subject: subject, queue: queue, core: core, subscription: subscription)
    }
}

/// A running request/reply service (see `NATSConnection.serve`).
public final class NATSService: Sendable {
    public let subject: String
    public let queue: String
    private let core: ServiceCore
    private let subscription: AsyncSubscription

    fileprivate init(subject: String, queue: String, core: ServiceCore, subscription: AsyncSubscription) {
        self.subject = subject
        self.queue = queue
        self.core = core
        self.subscription = subscription
    }

    /// Requests taken whose handler has not finished (and replied) yet.
    public var inFlight: Int { core.inFlight }

    /// Stops taking requests and waits until the ones already taken have been answered: drain
    /// semantics, so a node shutting down answers what it took. Idempotent; concurrent calls all
    /// wait.
    ///
    /// The server stops routing requests here once it has processed the unsubscribe (cnats
    /// flushes it before finishing the drain), and the other members of the queue group take
    /// over; requests that reached this node before that are still handled. Returns after
    /// `timeout` at the latest: cnats then drops requests it had not yet handed over, and
    /// handlers still running keep running and reply when they finish.
    public func stop(timeout: Duration = .seconds(10)) async {
        let start = ContinuousClock.now
        subscription.drain(timeout: timeout)
        let core = core
        let deadline = Date(timeIntervalSinceNow: timeout.timeInterval)
        // A drain completes only once the server has the unsubscribe: with the broker away it would take the
        // whole timeout, and no request can arrive meanwhile anyway, so only the handlers under way are awaited.
        let drainable = core.connection.isConnected
        let finished = (try? await offPool { core.waitUntilFinished(before: deadline, drained: drainable) }) ?? false
        guard finished else {
            natsLogger.warning(
                "NATS service stopped with requests still in flight",
                metadata: [
                    "subject": "\(subject)", "inFlight": "\(core.inFlight)",
                ])
            return
        }
        // The replies sit in cnats' outgoing buffer; push them out before the caller closes.
        let remaining = timeout - (ContinuousClock.now - start)
        try? await core.connection.flush(timeout: min(max(remaining, .milliseconds(100)), .seconds(1)))
    }

    deinit {
        subscription.drain(timeout: .seconds(30))
    }
}

/// The state shared by cnats' delivery thread, the handler Tasks and `stop`.
///
/// `@unchecked Sendable`: `inFlightCount` and `completed` are only touched with `condition`
/// locked; the rest is immutable.
final class ServiceCore: AsyncSubscriptionDelegate, @unchecked Sendable {
    let connection: NATSConnection
    let subject: String
    private let maxConcurrent: Int
    private let handler: @Sendable (NATSRequest) async -> NATSReply
    private let condition = NSCondition()
    private var inFlightCount = 0
    private var completed = false

    init(
        connection: NATSConnection, subject: String, maxConcurrent: Int,
        handler: @escaping @Sendable (NATSRequest) async -> NATSReply
    ) {
        self.connection = connection
        self.subject = subject
        self.maxConcurrent = maxConcurrent
        self.handler = handler
    }

    var inFlight: Int {
        condition.lock()
        defer { condition.unlock() }
        return inFlightCount
    }

    /// On cnats' delivery thread (a plain thread, so blocking for a free slot is fine).
    func receive(_ message: OpaquePointer) {
        let request = NATSRequest(copying: message)
        natsMsg_Destroy(message)

        condition.lock()
        while inFlightCount >= maxConcurrent {
            condition.wait()
        }
        // Counted before the callback returns, so once on-complete has run every request taken is counted.
        inFlightCount += 1
        condition.unlock()

        Task { await self.handle(request) }
    }

    func subscriptionDidComplete() {
        condition.lock()
        completed = true
        condition.broadcast()
        condition.unlock()
    }

    /// Blocks until every handler has replied and, if `drained`, the subscription is closed; or until `deadline`.
    func waitUntilFinished(before deadline: Date, drained: Bool = true) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        func done() -> Bool { (completed || !drained) && inFlightCount == 0 }
        while !done() {
            if !condition.wait(until: deadline) { return done() }
        }
        return true
    }

    private func handle(_ request: NATSRequest) async {
        let reply = await handler(request)
        if let replySubject = request.replySubject {
            do {
                try connection.publish(subject: replySubject, data: reply.data, headers: reply.headers)
            } catch {
                natsLogger.warning(
                    "NATS reply not sent",
                    metadata: [
                        "subject": "\(request.subject)", "error": "\(error)",
                    ])
            }
        }
        finished()
    }

    private func finished() {
        condition.lock()
        inFlightCount -= 1
        condition.broadcast()
        condition.unlock()
    }
}

extension Duration {
    var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
