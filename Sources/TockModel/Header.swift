/// One HTTP header of a webhook. Kept as an ordered list, not a dictionary:
/// names may repeat and receivers may care about order.
public struct Header: Equatable, Sendable, Codable {
    public var name: String
    public var value: String
    /// Marked secret by the submitter: read back as `redacted`, sent to the webhook as given.
    public var secret: Bool

    public init(name: String, value: String, secret: Bool = false) {
        self.name = name
        self.value = value
        self.secret = secret
    }

    /// What every read shows instead of a secret value.
    public static let redacted = "***"

    /// Header names whose values are secret whether or not the submitter said so.
    public static let alwaysSecret: Set<String> = ["authorization", "proxy-authorization", "cookie"]

    /// Whether reads must hide this header's value.
    public var isSecret: Bool { secret || Self.alwaysSecret.contains(name.lowercased()) }

    /// The header as a read shows it: a secret value replaced by `redacted`.
    public var redactedForReading: Header {
        isSecret ? Header(name: name, value: Self.redacted, secret: true) : self
    }
}
