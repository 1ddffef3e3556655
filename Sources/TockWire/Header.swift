/// One HTTP header of a webhook. Kept as an ordered list, not a dictionary:
/// names may repeat and receivers may care about order.
public struct Header: Equatable, Sendable, Codable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
