import Logging
import Synchronization

/// A logger that keeps every entry with the moment it was logged: for what a component does only in its log
/// (a publish that failed and will be retried), and when.
public final class CapturedLog: Sendable {
    public struct Entry: Sendable {
        public var message: String
        public var metadata: [String: String]
        public var at: ContinuousClock.Instant
    }

    private let entries = Mutex<[Entry]>([])

    public init() {}

    public var logger: Logger {
        Logger(label: "captured") { _ in Handler(log: self) }
    }

    /// The entries with this message whose metadata holds `key: value`, oldest first.
    public func entries(_ message: String, _ key: String, _ value: String) -> [Entry] {
        entries.withLock { $0.filter { $0.message == message && $0.metadata[key] == value } }
    }

    private struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let entry = Entry(
                message: "\(event.message)",
                metadata: metadata.merging(event.metadata ?? [:]) { $1 }.mapValues { "\($0)" },
                at: .now)
            log.entries.withLock { $0.append(entry) }
        }
    }
}
