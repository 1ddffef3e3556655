import ArgumentParser
import Foundation

/// The options and flags of the command a command line invokes, as ArgumentParser describes them (its
/// `--experimental-dump-help` JSON), so the environment can be mapped onto every option without a list of its own.
struct CommandOptionList: Equatable {
    struct Option: Equatable {
        /// Every spelling on the command line, "--http" or "-v".
        var names: [String]
        /// The first long name without its dashes ("http"), which the environment variable is named after.
        var longName: String
        var isFlag: Bool
        var isRepeating: Bool
    }

    /// The subcommand path, e.g. ["shard"] or ["shard", "status"]; empty for the root.
    var path: [String]
    var options: [Option]
    /// Where the subcommand names end in the arguments: the command's own options follow.
    var argumentsStart: Int

    /// ArgumentParser's own flags, which the environment never sets.
    static let builtIn: Set<String> = ["help", "version", "experimental-dump-help", "generate-completion-script"]

    /// Walks `arguments` down `root`'s subcommands while they name one, and describes the command reached (only
    /// that one: describing the whole tree costs a tenth of a second in a debug build).
    static func invoked(by arguments: [String], root: ParsableCommand.Type) throws -> CommandOptionList {
        var command = root
        var path: [String] = []
        while path.count < arguments.count,
            let next = command.configuration.subcommands.first(where: {
                $0._commandName == arguments[path.count] || $0.configuration.aliases.contains(arguments[path.count])
            })
        {
            path.append(arguments[path.count])
            command = next
        }
        let tool = try JSONDecoder().decode(Tool.self, from: Data(command._dumpHelp().utf8))
        return CommandOptionList(path: path, options: tool.command.options, argumentsStart: path.count)
    }

    private struct Tool: Decodable {
        var command: Command
    }

    private struct Command: Decodable {
        var arguments: [Argument]?

        var options: [Option] {
            (arguments ?? []).compactMap { argument in
                guard argument.kind != "positional", let names = argument.names,
                    let long = names.first(where: { $0.kind == "long" })?.name, !builtIn.contains(long)
                else { return nil }
                return Option(
                    names: names.map { ($0.kind == "long" ? "--" : "-") + $0.name }, longName: long,
                    isFlag: argument.kind == "flag", isRepeating: argument.isRepeating)
            }
        }
    }

    private struct Argument: Decodable {
        struct Name: Decodable {
            var kind: String
            var name: String
        }
        var kind: String
        var isRepeating: Bool
        var names: [Name]?
    }
}
