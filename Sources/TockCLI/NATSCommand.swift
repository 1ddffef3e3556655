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

        @Option(help: ArgumentHelp(QueueConfigFile.optionHelp, valueName: "file")) var config: String?
        @OptionGroup var nats: NATSOptions

        func run() async throws {
            let (layout, source) = try QueueConfigFile.resolve(explicit: config)
            FileHandle.standardError.write(Data("queue config: \(source)\n".utf8))
            let connection = try nats.connect(name: "tock-nats-apply")
            defer { connection.close() }
            for line in try JetStreamSetup.apply(layout, to: try connection.jetStream()) { print(line) }
        }
    }
}

/// A failure the CLI reports as one line on stderr with exit code 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
