import Logging
import Synchronization

/// A log handler that keeps every message logged through it, so a test can await a component's own report of an
/// event that nothing else shows (a failed publish, say).
final class LogRecorder: Sendable {
    private let messages = Mutex<[String]>([])

    var logger: Logger {
        var logger = Logger(label: "test.recorded") { _ in Handler(recorder: self) }
        logger.logLevel = .debug
        return logger
    }

    func count(of message: String) -> Int { messages.withLock { $0.filter { $0 == message }.count } }

    private struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            recorder.messages.withLock { $0.append("\(event.message)") }
        }
    }
}
