import ArgumentParser
import Logging
import TockCore
import TockShard

struct LoggingOptions: ParsableArguments {
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"
    @Option(help: "Log format on stderr: text (one readable line per event) or json (one JSON object per line).")
    var logFormat: String = "text"

    func makeLogger(_ label: String) throws -> Logger {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        switch logFormat {
        case "text": LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        case "json": LoggingSystem.bootstrap { JSONLogHandler(label: $0) }
        default: throw ValidationError("--log-format must be text or json")
        }
        var logger = Logger(label: label)
        logger.logLevel = level
        return logger
    }
}

/// "127.0.0.1:7070" → ("127.0.0.1", 7070).
func parseHostPort(_ text: String, option: String) throws -> (String, Int) {
    guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
        (0...65535).contains(port)
    else { throw ValidationError("\(option) must be HOST:PORT, e.g. 127.0.0.1:7070") }
    return (String(text[..<colon]), port)
}

/// The HTTP listener's limits (`HTTPServerLimits`), for `tock shard`, `tock router` and `tock dev`.
struct HTTPLimitOptions: ParsableArguments {
    @Option(help: "Most HTTP connections open at once; more wait until one closes.")
    var maxConnections: Int = HTTPServerLimits().maxConnections
    @Option(help: "Close an HTTP connection idle this long (e.g. 75s).")
    var idleTimeout: String = "75s"

    func limits() throws -> HTTPServerLimits {
        var limits = HTTPServerLimits()
        guard maxConnections > 0 else { throw ValidationError("--max-connections must be positive") }
        limits.maxConnections = maxConnections
        guard let idle = DurationText.parse(idleTimeout), idle > .zero else {
            throw ValidationError("--idle-timeout must be a positive duration such as 75s")
        }
        limits.idleTimeout = idle
        return limits
    }
}
