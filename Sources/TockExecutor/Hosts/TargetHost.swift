import Foundation

/// The key the per-host concurrency cap and circuit breaker share: `host:port` of a webhook URL, lowercased, with
/// the scheme's default port filled in. Two services on one machine but different ports are different targets;
/// `http://A` and `http://a:80` are the same one.
enum TargetHost {
    static func key(of url: String) -> String {
        guard let components = URLComponents(string: url), let host = components.host?.lowercased(), !host.isEmpty
        else {
            // The shard validated the URL, so this is not expected; such runs share one key rather than crash.
            return "invalid"
        }
        let scheme = components.scheme?.lowercased()
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        return "\(host):\(port)"
    }
}
