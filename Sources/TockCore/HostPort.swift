/// A TCP address as configs and flags write it: "HOST:PORT".
public struct HostPort: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public var description: String { "\(host):\(port)" }

    /// "HOST:PORT" (the host may be a bracketed IPv6 address); nil if it is not one.
    public init?(parsing text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (0...65535).contains(port), colon > text.startIndex else { return nil }
        self.init(host: String(text[..<colon]), port: port)
    }
}
