import Dispatch
import Logging
import TockConcurrency

/// A NATS connection made in the background and retried until it succeeds, so a process starts and serves
/// while the broker is away. After the first connect, cnats itself reconnects.
public actor NATSLink {
    private let url: String
    /// `url` as logged: without credentials.
    private let shownURL: String
    private let security: NATSSecurity
    private let name: String
    private let logger: Logger
    private var connection: NATSConnection?
    private var jetStreamContext: JetStream?
    /// The connect under way, which every caller waits for.
    private var connecting: Task<JetStream, any Error>?
    private var closed = false

    public init(url: String, security: NATSSecurity = NATSSecurity(), name: String, logger: Logger) {
        self.url = url
        shownURL = redactingNATSCredentials(url)
        self.security = security
        self.name = name
        self.logger = logger
    }

    /// The JetStream context, connecting first if needed; retries every `retry` until connected, cancelled, or
    /// `giveUp` says to stop waiting (a draining executor does not wait for a broker it never reached).
    /// Callers that arrive while a connect is under way wait for that one: two connects would leave one
    /// connection open and unused, its subscriptions and reconnects beside the one kept.
    public func jetStream(retry: Duration = .seconds(1), giveUp: @Sendable () -> Bool = { false }) async throws
        -> JetStream
    {
        var logged = false
        while true {
            if let jetStreamContext { return jetStreamContext }
            guard !closed, !giveUp() else { throw CancellationError() }
            let attempt = connecting ?? connect()
            connecting = attempt
            do {
                return try await attempt.value
            } catch {
                if !logged, !(error is CancellationError) {
                    logger.warning(
                        "NATS not reachable; retrying",
                        metadata: ["url": "\(shownURL)", "error": "\(error)"])
                    logged = true
                }
                try await Task.sleep(for: retry)
            }
        }
    }

    /// One connect attempt, run on this actor between its blocking parts, which keeps the connection it makes.
    private func connect() -> Task<JetStream, any Error> {
        Task {
            defer { connecting = nil }
            let (connection, js) = try await Self.connectOffPool(url: url, security: security, name: name)
            guard !closed else {
                connection.close()
                throw CancellationError()
            }
            self.connection = connection
            jetStreamContext = js
            logger.info("connected to NATS", metadata: ["url": "\(shownURL)"])
            return js
        }
    }

    /// Whether the link has a connection and cnats reports it connected now (not reconnecting); never connects.
    public var isConnected: Bool { connection?.isConnected ?? false }

    /// Binds to an existing durable pull consumer. The bind is a blocking request/reply, so it runs off the pool.
    public func pullSubscribe(
        stream: String, durable: String, filter: String,
        giveUp: @Sendable () -> Bool = { false }
    ) async throws -> PullSubscription {
        let js = try await jetStream(giveUp: giveUp)
        return try await offPool { try js.pullSubscribe(stream: stream, durable: durable, filter: filter) }
    }

    /// The connection, connecting first if needed; retries like `jetStream` (so it waits while NATS is away).
    /// For requests: `try await link.connection().request(...)` — the request's own timeout only starts
    /// once connected.
    public func connection(retry: Duration = .seconds(1)) async throws -> NATSConnection {
        try await jetStream(retry: retry).connection
    }

    /// Serves `subject` in queue group `queue` on this link's connection, connecting first if needed
    /// (see `NATSConnection.serve`), and returns once the server has the subscription (best effort: if
    /// the connection drops meanwhile, cnats subscribes again on reconnect). The service ends when the
    /// link is closed; `stop` it first to answer the requests it took.
    public func serve(
        subject: String,
        queue: String,
        maxConcurrent: Int = 1024,
        handler: @escaping @Sendable (NATSRequest) async -> NATSReply
    ) async throws -> NATSService {
        let connection = try await connection()
        let service = try connection.serve(
            subject: subject, queue: queue, maxConcurrent: maxConcurrent, handler: handler)
        try? await connection.flush()
        return service
    }

    public func close() {
        closed = true
        connection?.close()
        connection = nil
        jetStreamContext = nil
    }

    /// `connect` blocks up to its timeout; it runs on a plain thread, not the cooperative pool.
    private static func connectOffPool(
        url: String, security: NATSSecurity, name: String
    ) async throws -> (NATSConnection, JetStream) {
        try await offPool {
            let connection = try NATSConnection.connect(url: url, name: name, security: security)
            return (connection, try connection.jetStream())
        }
    }
}

/// Blocking cnats calls other than fetches (connect, stream look-ups, subscribing, waiting out a drain): at most
/// this many at once in a process; each waits at most its own timeout. Sized for every NATS service of a `tock
/// dev` draining at once, plus connects and look-ups.
private let cnatsCalls = BlockingPool(name: "nats-calls", threads: 16)

/// Runs a blocking cnats call on `cnatsCalls`, so it never holds a cooperative-pool thread.
func offPool<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await cnatsCalls.run(body)
}
