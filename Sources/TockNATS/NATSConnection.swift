import CNats
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

let natsLogger = Logger(label: "tock.nats")

/// A cnats connection that reconnects forever, so a restarted nats-server is picked up again
/// without the caller doing anything.
///
/// While disconnected, plain publishes (including acks) go to cnats' reconnect buffer and are
/// sent after reconnecting; JetStream publishes still fail after their publish timeout because
/// their PubAck cannot arrive in time.
public final class NATSConnection: Sendable {
    private let handle: ConnectionHandle
    /// Created by the first `request`; shared by all requests of this connection.
    private let mux = Mutex<RequestMux?>(nil)
    /// The server URL with any credentials in it redacted (`redactingNATSCredentials`): safe to log.
    public let url: String
    /// Where replies to this connection's requests arrive (`NATSSecurity.inboxPrefix`).
    let inboxPrefix: String

    private init(handle: ConnectionHandle, url: String, inboxPrefix: String) {
        self.handle = handle
        self.url = url
        self.inboxPrefix = inboxPrefix
    }

    public static func connect(
        url: String,
        name: String = "tock",
        timeout: Duration = .seconds(2),
        sendAsap: Bool = false,
        security: NATSSecurity = NATSSecurity()
    ) throws -> NATSConnection {
        let shownURL = redactingNATSCredentials(url)
        var options: OpaquePointer?
        try natsCheck(natsOptions_Create(&options), "create NATS options")
        defer { natsOptions_Destroy(options) }

        // cnats' SetURL takes one URL; a cluster's list ("nats://a:4222,nats://b:4222") goes to SetServers.
        let servers = url.split(separator: ",").map { String($0.filter { !$0.isWhitespace }) }.filter { !$0.isEmpty }
        if servers.count > 1 {
            var cStrings = servers.map { strdup($0) }
            defer { cStrings.forEach { free($0) } }
            try cStrings.withUnsafeMutableBufferPointer { buffer in
                try buffer.withMemoryRebound(to: UnsafePointer<CChar>?.self) { pointers in
                    try natsCheck(
                        natsOptions_SetServers(options, pointers.baseAddress, Int32(servers.count)),
                        "set servers \(shownURL)")
                }
            }
        } else {
            try natsCheck(natsOptions_SetURL(options, url), "set URL \(shownURL)")
        }
        try natsCheck(natsOptions_SetName(options, name), "set connection name")
        try natsCheck(natsOptions_SetTimeout(options, timeout.cnatsMilliseconds), "set connect timeout")
        try natsCheck(natsOptions_SetAllowReconnect(options, true), "allow reconnect")
        try natsCheck(natsOptions_SetMaxReconnect(options, -1), "reconnect forever")
        try natsCheck(natsOptions_SetReconnectWait(options, 250), "set reconnect wait")
        // Management request/replies would otherwise sit out their full timeout after a disconnect.
        try natsCheck(natsOptions_SetFailRequestsOnDisconnect(options, true), "fail requests on disconnect")
        try natsCheck(natsOptions_SetDisconnectedCB(options, onDisconnected, nil), "set disconnected callback")
        try natsCheck(natsOptions_SetReconnectedCB(options, onReconnected, nil), "set reconnected callback")
        // Off by default: cnats' flusher thread then batches writes, waking about 1 ms after the first.
        // On: every publish (replies, requests, acks) is written at once — lower latency per round trip,
        // more syscalls under load.
        try natsCheck(natsOptions_SetSendAsap(options, sendAsap), "set send-asap")
        try security.apply(to: options)

        var connection: OpaquePointer?
        try natsCheck(natsConnection_Connect(&connection, options), "connect to \(shownURL)")
        return NATSConnection(
            handle: ConnectionHandle(connection!), url: shownURL,
            inboxPrefix: security.inboxPrefix ?? "_INBOX")
    }

    public var isConnected: Bool {
        handle.withPointer { natsConnection_Status($0) == NATS_CONN_STATUS_CONNECTED } ?? false
    }

    /// A JetStream context on this connection. The context keeps the connection alive.
    public func jetStream(
        publishTimeout: Duration = .seconds(5),
        maxPendingPublishes: Int = 4096
    ) throws -> JetStream {
        try JetStream(connection: self, publishTimeout: publishTimeout, maxPendingPublishes: maxPendingPublishes)
    }

    /// Waits until the server has processed everything this connection sent so far (a PING/PONG round
    /// trip), e.g. so that a new `serve` subscription is known to the server before requests are routed.
    /// Fails at once while disconnected. Runs off the cooperative pool; other calls on this connection
    /// wait for it (at most `timeout`).
    public func flush(timeout: Duration = .seconds(1)) async throws {
        let milliseconds = timeout.cnatsMilliseconds
        let url = url
        try await offPool { [self] in
            try withConnection { nc in
                guard natsConnection_Status(nc) == NATS_CONN_STATUS_CONNECTED else {
                    throw NATSError.local(NATS_CONNECTION_DISCONNECTED, "flush: not connected to \(url)")
                }
                try natsCheck(natsConnection_FlushTimeout(nc, milliseconds), "flush connection to \(url)")
            }
        }
    }

    /// Closes the connection. Idempotent. JetStream contexts and subscriptions made from it keep
    /// their (now closed) cnats objects alive and fail with `NATS_CONNECTION_CLOSED`.
    public func close() {
        handle.close()
        // After the handle: requests racing with close then fail on the closed handle or here.
        mux.withLock { $0 }?.close(reason: NATSError.local(NATS_CONNECTION_CLOSED, "connection to \(url) is closed"))
    }

    /// The request multiplexer, subscribing its inbox on first use.
    func requestMux() throws -> RequestMux {
        try mux.withLock { mux in
            if let mux { return mux }
            let created = try RequestMux.start(on: self)
            mux = created
            return created
        }
    }

    /// Runs `body` with the live connection pointer, or throws if closed.
    func withConnection<Result: Sendable>(_ body: (OpaquePointer) throws -> Result) throws -> Result {
        guard let result = try handle.withPointer(body) else {
            throw NATSError.local(NATS_CONNECTION_CLOSED, "connection to \(url) is closed")
        }
        return result
    }

    deinit {
        handle.close()
    }
}

/// Owns one `natsConnection*`.
///
/// Invariant: the pointer is read and cleared only under the lock, so it is destroyed exactly once
/// and never while `withPointer` is using it. cnats reference-counts the connection internally,
/// so JetStream contexts created from it stay valid after `natsConnection_Destroy`.
private final class ConnectionHandle: Sendable {
    private let pointer: Mutex<CHandle?>

    init(_ pointer: OpaquePointer) {
        self.pointer = Mutex(CHandle(pointer))
    }

    func withPointer<Result: Sendable, Failure: Error>(_ body: (OpaquePointer) throws(Failure) -> Result)
        throws(Failure) -> Result?
    {
        try pointer.withLock { current throws(Failure) -> Result? in
            guard let current else { return nil }
            return try body(current.pointer)
        }
    }

    func close() {
        guard
            let taken = pointer.withLock({ current -> CHandle? in
                defer { current = nil }
                return current
            })?.pointer
        else { return }
        // Acks, naks and InProgress are fire-and-forget publishes still in cnats' buffer; a process that closes
        // right after acking its last runs must not drop those acks (they would be redelivered: a duplicate).
        if natsConnection_Status(taken) == NATS_CONN_STATUS_CONNECTED {
            _ = natsConnection_FlushTimeout(taken, 1000)
        }
        natsConnection_Destroy(taken)
    }
}

// C callbacks: no context pointer, so there is nothing whose lifetime could end before cnats'
// last callback.
private func onDisconnected(_ connection: OpaquePointer?, _ closure: UnsafeMutableRawPointer?) {
    guard let connection, !natsConnection_IsClosed(connection) else { return }
    natsLogger.warning("NATS connection lost; reconnecting")
}

private func onReconnected(_ connection: OpaquePointer?, _ closure: UnsafeMutableRawPointer?) {
    guard let connection else { return }
    let url = withUnsafeTemporaryAllocation(of: CChar.self, capacity: 256) { buffer -> String in
        buffer.initialize(repeating: 0)
        _ = natsConnection_GetConnectedUrl(connection, buffer.baseAddress, buffer.count)
        return String(cString: buffer.baseAddress!)
    }
    natsLogger.info("NATS connection re-established", metadata: ["url": "\(redactingNATSCredentials(url))"])
}
