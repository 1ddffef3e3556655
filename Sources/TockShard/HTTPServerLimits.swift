import Hummingbird
import HummingbirdCore

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

    /// Where the HTTP parser itself stops: the connection gets a bare 400 and is closed. Far enough above the
    /// limits of `RequestHeaderLimit` that a client meets those, with their JSON error, first.
    static let parserMaxHeaderBytes = 64 * 1024
    static let parserMaxHeaderFields = 500

    public init() {}

    public var server: HTTPServerBuilder {
        .http1(configuration: .init(
            idleTimeout: .nanoseconds(idleTimeout.nanoseconds),
            httpDecoderConfiguration: .init(maxHeaderFieldSize: Self.parserMaxHeaderBytes,
                                            maxHeaderListSize: Self.parserMaxHeaderBytes,
                                            maxHeaderFieldCount: Self.parserMaxHeaderFields)))
    }

    public func configuration(address: BindAddress, serverName: String) -> ApplicationConfiguration {
        ApplicationConfiguration(address: address, serverName: serverName,
                                 availableConnectionsDelegate: MaximumAvailableConnections(maxConnections))
    }
}

/// Answers 431 with a JSON error for a request whose headers exceed `HTTPServerLimits`, before any route reads
/// them.
public struct RequestHeaderLimit<Context: RequestContext>: RouterMiddleware {
    let limits: HTTPServerLimits

    public init(_ limits: HTTPServerLimits) {
        self.limits = limits
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        var bytes = 0
        for field in request.headers {
            bytes += field.name.rawName.utf8.count + field.value.utf8.count
        }
        guard request.headers.count <= limits.maxHeaderFields, bytes <= limits.maxHeaderBytes else {
            return ShardHTTPAPI.json(.init(code: 431), ErrorView(
                code: "headers_too_large",
                message: "request headers hold \(request.headers.count) fields and \(bytes) bytes; the limits are "
                    + "\(limits.maxHeaderFields) fields and \(limits.maxHeaderBytes) bytes"))
        }
        return try await next(request, context)
    }
}
