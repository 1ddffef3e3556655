import Foundation
import Logging
import Synchronization
import TockCore

/// `--log-format json`: one JSON object per line on stderr, for log shippers. Fixed keys first — `time` (RFC 3339,
/// UTC, milliseconds), `level`, `logger`, `message` — then the event's metadata (`job`, `run`, `error`, ...) as
/// top-level keys in sorted order.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    /// One write per line, so lines from concurrent tasks never interleave.
    private static let output = Mutex(FileHandle.standardError)

    init(label: String, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.metadataProvider = metadataProvider
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let own = event.metadata { merged.merge(own) { $1 } }
        let line = Self.line(
            time: SystemWallClock().nowNs(), level: event.level, label: label,
            message: "\(event.message)", metadata: merged)
        let data = Data(line.utf8)
        Self.output.withLock { $0.write(data) }
    }

    static func line(
        time: Int64, level: Logger.Level, label: String, message: String,
        metadata: Logger.Metadata
    ) -> String {
        var out =
            "{\"time\":\(quoted(RFC3339.format(ns: time))),\"level\":\(quoted(level.rawValue)),"
            + "\"logger\":\(quoted(label)),\"message\":\(quoted(message))"
        for (key, value) in metadata.sorted(by: { $0.key < $1.key })
        where !["time", "level", "logger", "message"].contains(key) {
            out += ",\(quoted(key)):\(json(value))"
        }
        return out + "}\n"
    }

    private static func json(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): quoted(text)
        case .stringConvertible(let value): quoted(value.description)
        case .array(let values): "[" + values.map(json).joined(separator: ",") + "]"
        case .dictionary(let entries):
            "{"
                + entries.sorted(by: { $0.key < $1.key }).map { "\(quoted($0.key)):\(json($0.value))" }
                .joined(separator: ",") + "}"
        }
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
