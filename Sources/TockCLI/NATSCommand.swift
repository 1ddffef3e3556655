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
            abstract: "Create or update both streams and all consumers from a config file (idempotent).")

        @Option(help: "Layout file.") var config: String = "nats/jetstream.json"
        @OptionGroup var nats: NATSOptions

        func run() async throws {
            let layout = try loadLayout(path: config)
            let connection: NATSConnection
            do {
                connection = try NATSConnection.connect(url: nats.natsURL, name: "tock-nats-apply")
            } catch {
                throw CLIError("cannot connect to \(nats.natsURL): \(error)")
            }
            defer { connection.close() }
            for line in try JetStreamSetup.apply(layout, to: try connection.jetStream()) { print(line) }
        }
    }
}

/// Reads a layout file; a missing or invalid file is an error that names the file and key.
func loadLayout(path: String) throws -> JetStreamLayout {
    guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read \(path)") }
    do {
        return try JetStreamLayout.parse(json: data)
    } catch {
        throw CLIError("\(path): \(error)")
    }
}

/// A failure the CLI reports as one line on stderr with exit code 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
