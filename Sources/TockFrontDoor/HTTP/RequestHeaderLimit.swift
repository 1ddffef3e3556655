import Hummingbird
import HummingbirdCore
import TockShard

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
            return ShardHTTPAPI.json(
                .init(code: 431),
                ErrorView(
                    code: "headers_too_large",
                    message: "request headers hold \(request.headers.count) fields and \(bytes) bytes; the limits are "
                        + "\(limits.maxHeaderFields) fields and \(limits.maxHeaderBytes) bytes"))
        }
        return try await next(request, context)
    }
}
