import Foundation
import HTTPTypes
import Hummingbird
import TockAuth

/// Who the dashboard acts as. Without an auth file, everyone is `Caller.open`. With one, `/ui/login` asks for an API
/// key and keeps it in a cookie (HttpOnly, SameSite=Strict, path `/ui`), which `APIAuthentication` reads for `/ui`
/// paths when a request has no `Authorization` header; the pages then act with that key's scopes and tenant only.
///
/// Forms POST with that cookie, so a POST to `/ui` must come from this origin (its `Origin` header, which browsers
/// send on every POST, names the host it was sent to); SameSite=Strict already keeps the cookie off cross-site
/// requests.
enum UISession {
    static let cookieName = "tock_ui_key"
    static let maxFormBytes = 16 * 1024

    static func isDashboard(_ path: String) -> Bool { path == "/ui" || path.hasPrefix("/ui/") }

    static func register(on router: Router<TockRequestContext>, guardian: APIGuard) {
        router.get("/ui/login") { request, _ in
            if guardian.isOpen { return UIRoutes.redirect("/ui/") }
            return UIRoutes.page(UILoginPage.render(error: nil, next: next(request.uri.queryParameters.get("next"))))
        }
        router.post("/ui/login") { request, _ in
            let form = try await form(request)
            let target = next(form["next"])
            let key = form["key"] ?? ""
            switch guardian.admit(authorization: "Bearer \(key)", to: .scope(.jobsRead)) {
            case .failure(let denial):
                return UIRoutes.page(
                    UILoginPage.render(error: denial.status == 401 ? "Unknown key." : denial.description, next: target),
                    status: .unauthorized)
            case .success:
                var response = UIRoutes.redirect(target)
                response.headers[.setCookie] =
                    "\(cookieName)=\(HTMLPage.queryValue(key)); Path=/ui; HttpOnly; SameSite=Strict"
                return response
            }
        }
        router.post("/ui/logout") { _, _ in
            var response = UIRoutes.redirect(guardian.isOpen ? "/ui/" : "/ui/login")
            response.headers[.setCookie] = "\(cookieName)=; Path=/ui; HttpOnly; SameSite=Strict; Max-Age=0"
            return response
        }
    }

    /// A page of the dashboard to return to after signing in; anything else is the overview.
    static func next(_ value: String?) -> String {
        guard let value, isDashboard(value), !value.contains("//"), !value.contains("\\") else { return "/ui/" }
        return value
    }

    /// `Bearer <key>` from the dashboard's cookie, if the request has it.
    static func authorization(cookies: String?) -> String? {
        guard let cookies else { return nil }
        for pair in cookies.split(separator: ";") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == cookieName else { continue }
            let value = String(parts[1]).trimmingCharacters(in: .whitespaces)
            guard let key = value.removingPercentEncoding, !key.isEmpty else { return nil }
            return "Bearer \(key)"
        }
        return nil
    }

    /// Whether a POST comes from a page of this origin: the browser's `Sec-Fetch-Site` says so, or else its
    /// `Origin` names the host the request was sent to. A request with neither (not a browser's form) is let
    /// through; it carries no cookie a browser added on its own.
    static func isSameOrigin(_ request: Request) -> Bool {
        if let site = request.headers[.init("Sec-Fetch-Site")!] { return site == "same-origin" }
        guard let origin = request.headers[.origin] else { return true }
        guard let host = request.head.authority else { return false }
        guard let components = URLComponents(string: origin), let originHost = components.host else { return false }
        let originAuthority = components.port.map { "\(originHost):\($0)" } ?? originHost
        return originAuthority.lowercased() == host.lowercased()
    }

    /// An `application/x-www-form-urlencoded` body, at most `maxFormBytes`.
    static func form(_ request: Request) async throws -> [String: String] {
        var request = request
        guard let body = await request.collectBody(within: maxFormBytes) else {
            throw HTTPError(.contentTooLarge, message: "the form is larger than \(maxFormBytes) bytes")
        }
        var components = URLComponents()
        components.percentEncodedQuery = String(buffer: body).replacingOccurrences(of: "+", with: "%20")
        var fields: [String: String] = [:]
        for item in components.queryItems ?? [] { fields[item.name] = item.value ?? "" }
        return fields
    }
}
