import Foundation
import TockCore

/// The SSRF guard: decides, before a webhook is sent, whether its target may be called and which address the
/// connection goes to. Every address the host resolves to must pass the `EgressPolicy`; then
///
/// - `http://`: the request is sent to the checked address itself (the URL's host replaced by the IP literal, the
///   `Host` header keeping the name), so a second DNS answer (rebinding) is never used;
/// - `https://`: the client connects by name, as SNI and certificate verification need. A rebinding to an
///   internal address then meets a server that cannot show a valid certificate for the attacker's name, and the
///   handshake fails before anything is sent.
///
/// A host allowed by name is not resolved here at all: the operator trusts whatever it points to.
enum EgressGuard {
    struct Refusal: Equatable, Sendable {
        /// For `tock_executor_egress_refused_total`: the address class, or `invalid_url`.
        let reason: String
        let message: String
    }

    enum Decision: Equatable, Sendable {
        /// Send the request to `url`; `host`, when set, is the `Host` header that names the original host.
        case send(url: String, host: String?)
        /// A final failure: the target is not allowed.
        case refused(Refusal)
        /// The name does not resolve (now): a retryable failure, like a refused connection.
        case unresolvable(String)
    }

    private static let hint = "(allow it in the config's egress section)"

    static func check(
        _ text: String, policy: EgressPolicy,
        resolve: (String) async throws -> [IPAddress]
    ) async -> Decision {
        // Parsed as the HTTP client parses it (Foundation's URL), so both see the same host.
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https"
        else {
            return .refused(
                Refusal(reason: "invalid_url", message: "egress refused: only http and https URLs are called"))
        }
        guard var host = url.host, !host.isEmpty else {
            return .refused(Refusal(reason: "invalid_url", message: "egress refused: the URL has no host"))
        }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        // A NUL would end the name early for getaddrinfo; no host name holds one.
        guard !host.utf8.contains(0) else {
            return .refused(Refusal(reason: "invalid_url", message: "egress refused: the URL's host is not a name"))
        }
        if policy.allowsHost(host) { return .send(url: text, host: nil) }

        let literal = IPAddress(host)
        let addresses: [IPAddress]
        if let literal {
            addresses = [literal]
        } else {
            do {
                addresses = try await resolve(host)
            } catch {
                return .unresolvable("\(error)")
            }
        }
        for address in addresses {
            guard let kind = policy.refusal(of: address) else { continue }
            let what = literal != nil ? "\(address) is" : "\(host.utf8Prefix(253)) resolves to \(address), which is"
            return .refused(Refusal(reason: kind.label, message: "egress refused: \(what) \(kind.rawValue) \(hint)"))
        }
        guard scheme == "http", literal == nil, let pinned = pin(url, to: addresses[0]) else {
            return .send(url: text, host: nil)
        }
        return pinned
    }

    /// `url` with its host replaced by `address`, and the `Host` header it had.
    private static func pin(_ url: URL, to address: IPAddress) -> Decision? {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false),
            let originalHost = components.percentEncodedHost
        else { return nil }
        let hostHeader = originalHost + (components.port.map { ":\($0)" } ?? "")
        components.percentEncodedHost = address.isIPv4 ? "\(address)" : "[\(address)]"
        guard let pinned = components.string else { return nil }
        return .send(url: pinned, host: hostHeader)
    }
}
