/// What one HTTP listener — a shard node's or a router's — allows a client, so that no client can hold or flood
/// it: connections at once, how long a connection may sit idle, and the size of a request's headers.
public struct HTTPServerLimits: Sendable {
    /// Connections open at once. Further clients wait in the listen backlog until one closes, so a flood of
    /// connections cannot run the process out of file descriptors.
    public var maxConnections = 512
    /// A connection with no request in progress for this long is closed. Longer than the pools of common HTTP
    /// clients keep idle connections (60 s), so a client does not send on a connection the server just closed.
    public var idleTimeout: Duration = .seconds(75)
    /// Header fields of one request; more is a 431 `headers_too_large`.
    public var maxHeaderFields = 100
    /// Bytes of one request's header names and values together; more is a 431 `headers_too_large`.
    public var maxHeaderBytes = 32 * 1024

    public init() {}
}
