/// Why one message was refused, for the log and the counters: its reason, the field at fault when there is one,
/// and what is wrong with it.
public struct MessageProblem: Error, Equatable, Sendable, CustomStringConvertible {
    public var reason: MessageRejection
    public var field: String?
    public var message: String

    public init(_ reason: MessageRejection, field: String? = nil, _ message: String) {
        self.reason = reason
        self.field = field
        self.message = message
    }

    public var description: String { field.map { "\($0): \(message)" } ?? message }
}
