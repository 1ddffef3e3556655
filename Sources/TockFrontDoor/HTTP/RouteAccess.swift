import HTTPTypes
import TockAuth
import TockShard

/// What a request must show to reach a route, decided from its method and path alone, before routing, so this is
/// the whole access policy of the HTTP API. A path it does not name needs `admin`: a route added later is closed
/// until someone opens it here.
public enum RouteAccess {
    public static func of(method: HTTPRequest.Method, path: String) -> Access {
        switch path {
        case "/healthz", "/readyz", "/health", "/metrics", "/ui/login", "/ui/logout":
            return .open
        case "/openapi.json":
            return .authenticated
        default:
            break
        }
        if path == "/v1/jobs" || path.hasPrefix("/v1/jobs/") || path.hasPrefix("/v1/jobs:")
            || path == "/v1/flows" || path.hasPrefix("/v1/flows/")
            || path == "/jobs" || path.hasPrefix("/jobs/")
        {
            return .scope(method == .get || method == .head ? .jobsRead : .jobsWrite)
        }
        // The dashboard: its style and script for anyone, its pages and forms as the job API they show and call.
        if path.hasPrefix("/ui/assets/") { return .open }
        if UISession.isDashboard(path) { return .scope(method == .get || method == .head ? .jobsRead : .jobsWrite) }
        // The cluster API (membership, leadership), `/v1/status` (every tenant's counts) and anything unnamed.
        return .scope(.admin)
    }
}
