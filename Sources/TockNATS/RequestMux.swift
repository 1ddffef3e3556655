import CNats
import Dispatch
import Synchronization

extension NATSConnection {
    /// Sends a request (with headers, in order) and waits for one reply.
    ///
    /// Throws `NATSError` with `isNoResponders` when nobody subscribes to `subject` (the server,
    /// 2.2+, answers with a 503 status at once) and with `isTimeout` when no reply came within
    /// `timeout`; `CancellationError` if the calling task is cancelled first.
    ///
    /// Never blocks a thread: all requests of a connection share one wildcard inbox subscription,
    /// so thousands can be outstanding at once. A request published while the connection is
    /// down waits in the reconnect buffer and still gets its answer if the connection comes
    /// back in time; otherwise it times out.
    public func request(
        subject: String,
        data: [UInt8],
        headers: [(name: String, value: String)] = [],
        timeout: Duration
    ) async throws -> NATSResponse {
        guard timeout > .zero else {
            throw NATSError.local(NATS_INVALID_TIMEOUT, "request to \(subject): timeout must be positive")
        }
        let mux = try requestMux()
        let token = mux.reserve()
        let message: OpaquePointer
        do {
            message = try NATSHeaders.makeMessage(
                subject: subject, reply: mux.replySubject(for: token),
                data: data, headers: headers)
        } catch {
            mux.discard(token)
            throw error
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                defer { natsMsg_Destroy(message) }
                // Registered before publishing: the reply can arrive before PublishMsg returns.
                guard mux.wait(token, continuation, subject: subject, timeout: timeout) else { return }
                do {
                    try withConnection { nc in
                        try natsCheck(natsConnection_PublishMsg(nc, message), "request to \(subject)")
                    }
                } catch {
                    mux.complete(token, with: .failure(error))
                }
            }
        } onCancel: {
            mux.cancel(token)
        }
    }
}

/// Matches replies on one wildcard inbox subscription (`_INBOX.<nuid>.*`) to the requests
/// waiting for them, by the token in the last subject token.
///
/// Each request moves through `reserved` (token handed out) → `waiting` (continuation stored,
/// timer armed) → removed (completed exactly once by the reply, the timer, cancellation or
/// close). A cancellation that comes before `wait` leaves `cancelled`, which `wait` turns into
/// a `CancellationError`.
final class RequestMux: AsyncSubscriptionDelegate, Sendable {
    typealias Continuation = CheckedContinuation<NATSResponse, any Error>

    private enum Slot {
        case reserved
        case cancelled
        case waiting(Continuation, subject: String)
    }

    private struct State {
        var nextToken: UInt64 = 1
        var slots: [UInt64: Slot] = [:]
        /// The timeout of each waiting request, cancelled when it completes otherwise.
        var timers: [UInt64: Task<Void, Never>] = [:]
        var closedReason: NATSError?
        var subscription: AsyncSubscription?
    }

    private let inbox: String
    private let state = Mutex(State())

    private init(inbox: String) {
        self.inbox = inbox
    }

    /// A mux with its inbox subscription; lives until the connection closes.
    static func start(on connection: NATSConnection) throws -> RequestMux {
        var created: UnsafeMutablePointer<natsInbox>?
        try natsCheck(natsInbox_Create(&created), "create inbox")
        // natsInbox_Create ignores the connection's custom prefix: keep only its unique part.
        let unique = String(cString: created!).split(separator: ".").last.map(String.init) ?? ""
        natsInbox_Destroy(created)
        let inbox = "\(connection.inboxPrefix).\(unique)"

        let mux = RequestMux(inbox: inbox)
        let subscription = try AsyncSubscription.subscribe(
            connection: connection, subject: inbox + ".*",
            queue: nil, delegate: mux)
        mux.state.withLock { $0.subscription = subscription }
        return mux
    }

    func replySubject(for token: UInt64) -> String {
        "\(inbox).\(token)"
    }

    func reserve() -> UInt64 {
        state.withLock { state in
            let token = state.nextToken
            state.nextToken += 1
            state.slots[token] = .reserved
            return token
        }
    }

    /// Stores the continuation and arms the timeout. False (and the continuation already
    /// resumed) when the request was cancelled or the connection closed meanwhile.
    func wait(_ token: UInt64, _ continuation: Continuation, subject: String, timeout: Duration) -> Bool {
        let refusal = state.withLock { state -> (any Error)? in
            if let reason = state.closedReason {
                state.slots[token] = nil
                return reason
            }
            guard case .reserved = state.slots[token] else {
                state.slots[token] = nil
                return CancellationError()
            }
            state.slots[token] = .waiting(continuation, subject: subject)
            return nil
        }
        if let refusal {
            continuation.resume(throwing: refusal)
            return false
        }
        let timer = Task { [weak self] in
            guard (try? await Task.sleep(for: timeout)) != nil else { return }
            self?.complete(
                token,
                with: .failure(
                    NATSError.local(
                        NATS_TIMEOUT, "request to \(subject): no reply within \(timeout)")))
        }
        // Registered after the slot, so a timer that fires first still finds the request waiting.
        let stillWaiting = state.withLock { state -> Bool in
            guard case .waiting = state.slots[token] else { return false }
            state.timers[token] = timer
            return true
        }
        if !stillWaiting { timer.cancel() }
        return true
    }

    /// Resumes the request `token` if it is still waiting; a late or duplicate completion is a no-op.
    func complete(_ token: UInt64, with result: Result<NATSResponse, any Error>) {
        complete(token) { _ in result }
    }

    /// `result` gets the request's subject (for error messages).
    private func complete(_ token: UInt64, _ result: (String) -> Result<NATSResponse, any Error>) {
        let waiting = state.withLock { state -> (Continuation, Task<Void, Never>?, String)? in
            guard case .waiting(let continuation, let subject) = state.slots[token] else { return nil }
            state.slots[token] = nil
            return (continuation, state.timers.removeValue(forKey: token), subject)
        }
        guard let (continuation, timer, subject) = waiting else { return }
        timer?.cancel()
        continuation.resume(with: result(subject))
    }

    /// Forgets a token that never reached `wait`.
    func discard(_ token: UInt64) {
        state.withLock { state in
            switch state.slots[token] {
            case .reserved?, .cancelled?: state.slots[token] = nil
            default: break
            }
        }
    }

    func cancel(_ token: UInt64) {
        let cancelledEarly = state.withLock { state -> Bool in
            guard case .reserved = state.slots[token] else { return false }
            state.slots[token] = .cancelled
            return true
        }
        if !cancelledEarly {
            complete(token, with: .failure(CancellationError()))
        }
    }

    /// Fails every waiting request and refuses new ones. Idempotent.
    func close(reason: NATSError) {
        let waiting = state.withLock { state -> [(Continuation, Task<Void, Never>?)] in
            if state.closedReason == nil { state.closedReason = reason }
            var waiting: [(Continuation, Task<Void, Never>?)] = []
            for (token, slot) in state.slots {
                if case .waiting(let continuation, _) = slot {
                    waiting.append((continuation, state.timers.removeValue(forKey: token)))
                    state.slots[token] = nil
                }
            }
            return waiting
        }
        for (continuation, timer) in waiting {
            timer?.cancel()
            continuation.resume(throwing: reason)
        }
    }

    /// Requests registered and not yet completed (for tests and diagnostics).
    var pendingCount: Int { state.withLock { $0.slots.count } }

    // MARK: AsyncSubscriptionDelegate (cnats' delivery thread)

    func receive(_ message: OpaquePointer) {
        let subject = String(cString: natsMsg_GetSubject(message))
        guard let token = subject.split(separator: ".").last.flatMap({ UInt64($0) }) else {
            natsMsg_Destroy(message)
            return
        }
        let response = natsMsg_IsNoResponders(message) ? nil : NATSResponse(copying: message)
        natsMsg_Destroy(message)
        complete(token) { subject in
            guard let response else {
                return .failure(NATSError.local(NATS_NO_RESPONDERS, "request to \(subject): no responders"))
            }
            return .success(response)
        }
    }

    func subscriptionDidComplete() {
        close(reason: NATSError.local(NATS_CONNECTION_CLOSED, "request: the connection's reply subscription closed"))
        state.withLock { $0.subscription = nil }
    }
}
