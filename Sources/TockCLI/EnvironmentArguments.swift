import Foundation

/// Configuration from the environment, for every flag at once: before ArgumentParser parses, each set variable
/// whose option the command line does not give becomes arguments, so a flag wins over the environment and the
/// environment over the flag's default (ops/README.md, "Configuration from the environment"). Values are passed
/// as `--flag=value`, so one that starts with `-` stays a value.
///
/// - `tock shard`, `tock executor` and `tock router` read `TOCK_<FLAG>` for each of their options and flags: the
///   long name upper-cased, `-` as `_` (`--nats-user` ← `TOCK_NATS_USER`).
/// - Every command with `--server` or `--token` reads `TOCK_SERVER` and `TOCK_TOKEN`; every command with
///   `--nats-url` reads `NATS_URL` (after `TOCK_NATS_URL` where that is read) except `tock dev`, which starts its
///   own server unless told otherwise.
/// - An empty variable counts as unset. A boolean flag takes 1/true/yes/on (set) or 0/false/no/off (not set); a
///   repeatable option takes a comma-separated list, one occurrence per item. Other `TOCK_*` variables are
///   ignored: other tools and Tock's own tests use the prefix.
struct EnvironmentArguments: Equatable {
    /// The commands whose every flag has a `TOCK_` variable: the long-running services.
    static let servicePaths: Set<[String]> = [["shard"], ["executor"], ["router"]]
    /// Variables read by any command that has the option, after the service's own `TOCK_<FLAG>`.
    static let sharedVariables = ["server": "TOCK_SERVER", "token": "TOCK_TOKEN", "nats-url": "NATS_URL"]
    /// `tock dev --nats-url` means "do not start nats-server": a NATS_URL in a developer's shell often names a
    /// shared server, where `tock dev` would create its streams.
    static let sharedVariableExceptions: [String: Set<[String]>] = ["nats-url": [["dev"]]]

    /// `tock --help`'s account of the rule; ops/README.md has the whole of it.
    static let help = """
        Environment: tock shard, tock executor and tock router read TOCK_<FLAG> for every flag (--nats-user: \
        TOCK_NATS_USER; a boolean flag takes 1/true/yes/on or 0/false/no/off, a repeatable option a comma-separated \
        list). Every command with --server, --token or --nats-url reads TOCK_SERVER, TOCK_TOKEN or NATS_URL \
        (tock dev does not read NATS_URL). A flag on the command line wins over the environment, the environment \
        over the default; an empty variable is unset, other TOCK_ variables are ignored. See ops/README.md, \
        "Configuration from the environment".
        """

    /// The services' `--help` note.
    static let serviceHelp = """
        Every option can also be set in the environment as TOCK_<FLAG>: --data as TOCK_DATA, --nats-user as \
        TOCK_NATS_USER (and --nats-url as TOCK_NATS_URL, else NATS_URL). A flag on the command line wins. \
        See tock --help.
        """

    /// The command line to parse.
    var arguments: [String]
    /// The variable each added option came from, by option ("--http": "TOCK_HTTP"), to name it in errors.
    var sources: [String: String]

    /// The variables `option` of the command at `path` reads, the first set one winning.
    static func variables(for option: CommandOptionList.Option, path: [String]) -> [String] {
        var names: [String] = []
        if servicePaths.contains(path) {
            names.append("TOCK_" + option.longName.uppercased().replacingOccurrences(of: "-", with: "_"))
        }
        if let shared = sharedVariables[option.longName],
            !(sharedVariableExceptions[option.longName] ?? []).contains(path), !names.contains(shared)
        {
            names.append(shared)
        }
        return names
    }

    /// The command line as it is, for an environment with nothing to map.
    init(unchanged commandLine: [String]) {
        arguments = commandLine
        sources = [:]
    }

    init(commandLine: [String], command: CommandOptionList, environment: [String: String]) throws {
        arguments = commandLine
        sources = [:]
        // Options after `--` are positional values, not options.
        let end = commandLine.firstIndex(of: "--") ?? commandLine.endIndex
        let given = commandLine[min(command.argumentsStart, end)..<end]
        var added: [String] = []
        for option in command.options {
            let onCommandLine = given.contains { argument in
                option.names.contains { argument == $0 || argument.hasPrefix($0 + "=") }
            }
            guard !onCommandLine else { continue }
            for variable in Self.variables(for: option, path: command.path) {
                guard let value = environment[variable], !value.isEmpty else { continue }
                let flag = "--" + option.longName
                if option.isFlag {
                    guard try Self.flagIsSet(value, variable: variable, flag: flag) else { break }
                    added.append(flag)
                } else if option.isRepeating {
                    for item in value.split(separator: ",") where !item.allSatisfy(\.isWhitespace) {
                        added.append("\(flag)=\(item.trimmingCharacters(in: .whitespaces))")
                    }
                } else {
                    added.append("\(flag)=\(value)")
                }
                sources[flag] = variable
                break
            }
        }
        arguments.insert(contentsOf: added, at: end)
    }

    private static func flagIsSet(_ value: String, variable: String, flag: String) throws -> Bool {
        switch value.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw CLIError("\(variable) (for \(flag)) must be 1, true, yes or on, or 0, false, no or off")
        }
    }

    /// "(--http was set from TOCK_HTTP)" for each environment-given option that `message` names, so an error
    /// about a value that came from the environment names the variable; nil when it names none.
    func note(for message: String) -> String? {
        let named = sources.keys.sorted().filter { Self.mentions(message, option: $0) }
        guard !named.isEmpty else { return nil }
        return named.map { "(\($0) was set from the environment variable \(sources[$0]!))" }.joined(separator: "\n")
    }

    private static func mentions(_ message: String, option: String) -> Bool {
        var rest = message[...]
        while let range = rest.range(of: option) {
            let next = rest[range.upperBound...].first
            if next.map({ !($0.isLetter || $0.isNumber || $0 == "-") }) ?? true { return true }
            rest = rest[range.upperBound...]
        }
        return false
    }
}
