import TockCore

/// scheduled-db's error body: `{"error": "Job not found"}`. Its clients read the message only; the HTTP status
/// says what kind of failure it was.
public struct ScheduledDBErrorView: Codable, Sendable, Equatable, Error {
    public var error: String

    public init(_ message: String) {
        error = message
    }

    public init(_ fieldError: FieldError) {
        error = fieldError.message
    }
}
