import ArgumentParser
import Dispatch
import Foundation

/// `tock guard-child` (internal, not listed): runs a child for a parent process and makes sure the child dies with
/// it, however the parent dies. `tock dev` starts its nats-server through it: a `tock dev` killed with SIGKILL
/// (or crashed) runs no cleanup, and Foundation starts children in a session of their own, so nothing else would
/// stop the server, which then held port 4222 and a temporary store and kept the next `tock dev` from starting.
///
/// The guard is a small process that cannot crash with its parent: it forwards SIGTERM and SIGINT to the child,
/// notices the parent's death (it is re-parented), then stops the child (SIGTERM, SIGKILL after 5 s) and removes
/// the parent's scratch directory.
struct ChildGuardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guard-child", abstract: "Run a child that dies with the given parent (used by tock dev).",
        shouldDisplay: false)

    @Option(help: "The process the child must not outlive.") var parent: Int32
    @Option(help: "A directory to remove once the child has stopped after the parent died.") var removeAfter: String?
    @Argument(parsing: .captureForPassthrough, help: "The child's executable and arguments.") var command: [String]

    func run() throws {
        let arguments = command.first == "--" ? Array(command.dropFirst()) : command
        guard let executable = arguments.first else { throw ValidationError("no command to run") }
        let child = Process()
        child.executableURL = URL(fileURLWithPath: executable)
        child.arguments = Array(arguments.dropFirst())
        let forwarding = [SIGTERM, SIGINT].map { number -> any DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { kill(child.processIdentifier, number) }
            source.resume()
            return source
        }
        defer { forwarding.forEach { $0.cancel() } }
        try child.run()
        var parentDied = false
        while child.isRunning {
            if getppid() != parent {
                parentDied = true
                stop(child)
                break
            }
            usleep(100_000)
        }
        child.waitUntilExit()
        if parentDied, let removeAfter { try? FileManager.default.removeItem(atPath: removeAfter) }
        throw ExitCode(child.terminationStatus)
    }

    private func stop(_ child: Process) {
        kill(child.processIdentifier, SIGTERM)
        let deadline = ContinuousClock.now + .seconds(5)
        while child.isRunning, ContinuousClock.now < deadline { usleep(50_000) }
        if child.isRunning { kill(child.processIdentifier, SIGKILL) }
    }
}
