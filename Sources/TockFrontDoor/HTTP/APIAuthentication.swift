import HTTPTypes
import Hummingbird
import TockAuth
import TockShard

/// Authenticates every request with its bearer key and checks the scope its route needs (`RouteAccess`):
/// 401 `unauthenticated` without a known key, 403 `forbidden` without the scope. Without keys (no `--auth-file`)
/// every request is `Caller.open`.
public struct APIAuthentication: RouterMiddleware {
    public typealias Context = TockRequestContext

    let guardian: APIGuard

    public init(_ guardian: APIGuard) {
        self.guardian = guardian
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let access = RouteAccess.of(method: request.method, path: request.uri.path)
        // The dashboard's pages carry the key in its cookie (`UISession`).
        let dashboard = UISession.isDashboard(request.uri.path)
        if dashboard, request.method == .post, !UISession.isSameOrigin(request) {
            return UIRoutes.page(
                "<!doctype html><title>Refused</title><p>A form from another site.</p>", status: .forbidden)
        }
        let authorization =
            request.headers[.authorization]
            ?? (dashboard ? UISession.authorization(cookies: request.headers[.cookie]) : nil)
        switch guardian.admit(authorization: authorization, to: access) {
        case .failure(let denial) where dashboard:
            if denial.status == 401 {
                return UIRoutes.redirect("/ui/login?next=\(HTMLPage.queryValue(request.uri.path))")
            }
            return UIRoutes.redirect("/ui/", error: denial.description)
        case .failure(let denial):
            var response = ShardHTTPAPI.json(
                .init(code: denial.status),
                ErrorView(
                    code: denial.code, field: denial.status == 401 ? "Authorization" : nil, message: denial.description)
            )
            if denial.status == 401 { response.headers[.wwwAuthenticate] = "Bearer" }
            return response
        case .success(let caller):
            var context = context
            context.caller = caller
            if !guardian.isOpen { context.logger[metadataKey: "api_key"] = .string(caller.name) }
            return try await next(request, context)
        }
    }
}
