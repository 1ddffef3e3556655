import CNats
import Synchronization

/// Matches cnats' asynchronous PubAck callbacks with the Swift continuations waiting for them.
///
/// Keyed by the `natsMsg*` address. An address cannot be reused while its entry exists: the
/// ack callback removes the entry before destroying the message, and an entry dropped early
/// (timeout backstop, close) belongs to a message cnats still owns, hence still allocated.
///
/// Every entry also carries a deadline. cnats times out each publish after MaxWait on its own,
/// but not once the connection or context is closed; `expireOverdue` is the backstop that keeps
/// every `publish` call bounded in time regardless.
final class PublishTracker: Sendable {
    typealias Continuation = CheckedContinuation<PubAck, any Error>

    private struct Entry {
        let continuation: Continuation
        let deadline: ContinuousClock.Instant
    }

    private struct State {
        var entries: [UInt: Entry] = [:]
        var closedReason: NATSError?
    }

    private let state = Mutex(State())
    let token: UInt

    /// Registered for callbacks until `close`; the owner must close it.
    init() {
        token = PublishTrackerRegistry.shared.reserveToken()
        PublishTrackerRegistry.shared.bind(token, to: self)
    }

    /// False (and the continuation is resumed with the error) when the tracker is closed.
    func register(_ message: OpaquePointer, _ continuation: Continuation, deadline: ContinuousClock.Instant) -> Bool {
        let closedReason = state.withLock { state -> NATSError? in
            if let reason = state.closedReason { return reason }
            state.entries[UInt(bitPattern: message)] = Entry(continuation: continuation, deadline: deadline)
            return nil
        }
        if let closedReason {
            continuation.resume(throwing: closedReason)
            return false
        }
        return true
    }

    /// Publishes waiting for their PubAck (for tests and diagnostics).
    var pendingCount: Int { state.withLock { $0.entries.count } }

    /// Resumes the publish of `message`, if it is still waiting.
    func complete(_ message: OpaquePointer, with result: Result<PubAck, NATSError>) {
        let entry = state.withLock { $0.entries.removeValue(forKey: UInt(bitPattern: message)) }
        entry?.continuation.resume(with: result)
    }

    /// Fails the publishes whose deadline passed. Returns false once closed, to stop the sweeper.
    func expireOverdue(now: ContinuousClock.Instant = .now) -> Bool {
        let (overdue, open) = state.withLock { state -> ([Entry], Bool) in
            let keys = state.entries.filter { $0.value.deadline <= now }.map(\.key)
            return (keys.compactMap { state.entries.removeValue(forKey: $0) }, state.closedReason == nil)
        }
        for entry in overdue {
            entry.continuation.resume(
                throwing: NATSError.local(
                    NATS_TIMEOUT, "publish: no PubAck before the publish timeout (connection down or closed?)"))
        }
        return open
    }

    /// Fails every waiting publish and refuses new ones. Idempotent.
    func close(reason: NATSError) {
        let entries = state.withLock { state -> [Entry] in
            if state.closedReason == nil { state.closedReason = reason }
            defer { state.entries.removeAll() }
            return Array(state.entries.values)
        }
        entries.forEach { $0.continuation.resume(throwing: reason) }
        PublishTrackerRegistry.shared.unregister(token)
    }

    /// Polls `expireOverdue` until the tracker is closed or gone. Only suspends (never blocks).
    static func startSweeping(_ tracker: PublishTracker, every interval: Duration) {
        Task.detached { [weak tracker] in
            while true {
                try? await Task.sleep(for: interval)
                guard let tracker, tracker.expireOverdue() else { return }
            }
        }
    }
}

/// Maps the integer token handed to cnats as the PubAck-callback closure to its tracker.
///
/// Why not `Unmanaged`: cnats 3.4.1 gives no signal that a jsCtx's ack callbacks have finished
/// (jsCtx_Destroy does not wait for a callback already running on the reply subscription's
/// thread), so there is no point where releasing a retained pointer is provably safe. A late
/// callback here just finds no tracker.
final class PublishTrackerRegistry: Sendable {
    static let shared = PublishTrackerRegistry()

    private struct State {
        var nextToken: UInt = 1
        var trackers: [UInt: PublishTracker] = [:]
    }

    private let state = Mutex(State())

    /// Reserves a token (never 0, so the closure pointer is never NULL).
    func reserveToken() -> UInt {
        state.withLock { state in
            defer { state.nextToken += 1 }
            return state.nextToken
        }
    }

    func bind(_ token: UInt, to tracker: PublishTracker) {
        state.withLock { $0.trackers[token] = tracker }
    }

    func unregister(_ token: UInt) {
        _ = state.withLock { $0.trackers.removeValue(forKey: token) }
    }

    func tracker(for token: UInt) -> PublishTracker? {
        state.withLock { $0.trackers[token] }
    }
}

/// cnats' jsPubAckHandler. Runs on the context's reply-subscription thread; owns `message`.
func publishAckHandler(
    _ context: OpaquePointer?,
    _ message: OpaquePointer?,
    _ ack: UnsafeMutablePointer<jsPubAck>?,
    _ ackError: UnsafeMutablePointer<jsPubAckErr>?,
    _ closure: UnsafeMutableRawPointer?
) {
    // Destroyed only after `complete` removed the entry keyed by this address (see PublishTracker).
    defer { natsMsg_Destroy(message) }
    guard let message, let tracker = PublishTrackerRegistry.shared.tracker(for: UInt(bitPattern: closure)) else {
        return
    }
    if let ack {
        let stream = ack.pointee.Stream.map { String(cString: $0) } ?? ""
        tracker.complete(
            message,
            with: .success(
                PubAck(
                    stream: stream, sequence: ack.pointee.Sequence, duplicate: ack.pointee.Duplicate)))
    } else if let ackError {
        let failure = ackError.pointee
        let detail = failure.ErrText.map { String(cString: $0) }
        tracker.complete(
            message,
            with: .failure(
                NATSError.make(
                    failure.Err, jsCode: failure.ErrCode, operation: "publish", detail: detail)))
    } else {
        tracker.complete(
            message, with: .failure(NATSError.local(NATS_ERR, "publish: cnats reported neither ack nor error")))
    }
}
