import ArgumentParser
import Foundation
import TockCore
import TockNATS
import TockShard

struct NATSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nats", abstract: "Manage Tock's JetStream streams and consumers.", subcommands: [Apply.self])

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create or update the streams and consumers of a queue config file (idempotent).")

        @Option(help: "Queue config file (YAML).") var config: String = "nats/tock.yaml"
        @OptionGroup var nats: NATSOptions

        func run() async throws {
            let layout = try loadQueueConfig(path: config)
            let connection = try nats.connect(name: "tock-nats-apply")
            defer { connection.close() }
            for line in try JetStreamSetup.apply(layout, to: try connection.jetStream()) { print(line) }
        }
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

/// A failure the CLI reports as one line on stderr with exit code 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
