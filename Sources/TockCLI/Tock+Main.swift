import ArgumentParser
import Foundation

extension Tock {
    /// ArgumentParser's `main()`, with the environment's arguments added first (`EnvironmentArguments`) and an
    /// error about an option that came from the environment naming its variable.
    static func main() async {
        let commandLine = Array(CommandLine.arguments.dropFirst())
        let environment = ProcessInfo.processInfo.environment
        var fromEnvironment = EnvironmentArguments(unchanged: commandLine)
        // Describing the commands costs a few milliseconds; most invocations have nothing to map.
        if environment.keys.contains(where: { $0.hasPrefix("TOCK_") || $0 == "NATS_URL" }) {
            do {
                let command = try CommandOptionList.invoked(by: commandLine, root: Tock.self)
                fromEnvironment = try EnvironmentArguments(
                    commandLine: commandLine, command: command, environment: environment)
            } catch {
                exit(withError: error)
            }
        }
        do {
            var command = try parseAsRoot(fromEnvironment.arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code != .success, let note = fromEnvironment.note(for: message(for: error)) {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n" + note + "\n").utf8))
                Foundation.exit(code.rawValue)
            }
            exit(withError: error)
        }
    }
}
