/// A TCP address as configs and flags write it: "HOST:PORT", or for an HTTP API served over TLS
/// "https://HOST:PORT" (`secure`); "http://HOST:PORT" is read as plain "HOST:PORT".
public struct HostPort: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    /// Reached with HTTPS rather than HTTP.
    public var secure: Bool

    public init(host: String, port: Int, secure: Bool = false) {
        self.host = host
        self.port = port
        self.secure = secure
    }

    public var description: String { secure ? "https://\(host):\(port)" : "\(host):\(port)" }

    /// The base of a URL on this address: "http://HOST:PORT" or "https://HOST:PORT".
    public var httpURL: String { "\(secure ? "https" : "http")://\(host):\(port)" }

    /// "HOST:PORT" (the host may be a bracketed IPv6 address), optionally after "http://" or "https://"; nil if it
    /// is not one.
    public init?(parsing given: String) {
        var text = Substring(given)
        var secure = false
        if text.hasPrefix("https://") {
            text = text.dropFirst("https://".count)
            secure = true
        } else if text.hasPrefix("http://") {
            text = text.dropFirst("http://".count)
        }
        if text.hasSuffix("/") { text = text.dropLast() }
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port), colon > text.startIndex, !text[..<colon].contains("/")
        else { return nil }
        self.init(host: String(text[..<colon]), port: port, secure: secure)
    }
}
