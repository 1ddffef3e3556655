import Foundation
import TockCore

/// Where `tock dev` and `tock nats apply` get the queue config. Its defaults are compiled in (`QueueConfig()`;
/// nats/tock.yaml spells out the same values and QueueConfigTests holds the two equal), so neither command needs a
/// file: a file named with `--config` overrides them and must be readable; without one, `nats/tock.yaml` under the
/// current directory is read when present (in the repository), else the built-in defaults apply.
enum QueueConfigFile {
    static let defaultPath = "nats/tock.yaml"

    static let optionHelp =
        "Queue config file (YAML, as nats/tock.yaml), overriding the built-in defaults. Default: \(defaultPath) "
        + "if present in the current directory, else the built-in defaults."

    /// The config to use and where it came from, for a log line.
    static func resolve(
        explicit: String?, fileExists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }
    ) throws -> (QueueConfig, source: String) {
        if let explicit { return (try loadQueueConfig(path: explicit), explicit) }
        if fileExists(defaultPath) { return (try loadQueueConfig(path: defaultPath), defaultPath) }
        return (QueueConfig(), "built-in defaults")
    }
}

/// Reads a queue config file; a missing or invalid file is an error that names the file and the key.
func loadQueueConfig(path: String) throws -> QueueConfig {
    guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read \(path)") }
    do {
        return try QueueConfig.parse(yaml: String(decoding: data, as: UTF8.self))
    } catch {
        throw CLIError("\(path): \(error)")
    }
}
