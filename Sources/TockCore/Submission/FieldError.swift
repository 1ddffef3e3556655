/// A client error that names the offending field, rendered by the API as
/// `{"error": {"code": …, "field": …, "message": …}}`.
public struct FieldError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Nil when the problem is not one field's, e.g. the request is not JSON.
    public var field: String?
    public var code: String
    public var message: String

    public init(field: String?, code: String = "invalid_field", message: String) {
        self.field = field
        self.code = code
        self.message = message
    }

    public var description: String { field.map { "\($0): \(message)" } ?? message }
}
