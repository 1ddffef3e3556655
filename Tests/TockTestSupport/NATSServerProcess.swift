import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A real nats-server on a free loopback port with a fresh store directory, for tests.
///
/// `@unchecked Sendable`: `process` is only touched with `lock` held; everything else is immutable.
public final class NATSServerProcess: @unchecked Sendable {
    public struct StartError: Error, CustomStringConvertible {
        public let description: String
    }

    public let port: Int
    public let jetStream: Bool
    /// JetStream store (`-sd`); survives `restart()`, removed on deinit.
    public let storeDirectory: URL
    /// The server's stdout/stderr, for diagnosing a failed test.
    public let logFile: URL
    private let rootDirectory: URL
    private let executable: URL
    /// A config file (`-c`); the port, address and store still come from the flags, which win over it.
    private let configFile: String?
    /// Added to the server's environment (a config may read `$VARIABLES` from it).
    private let environment: [String: String]
    private let lock = NSLock()
    private var process: Process?

    public var url: String { "nats://127.0.0.1:\(port)" }

    public static func start(
        jetStream: Bool = true, configFile: String? = nil, environment: [String: String] = [:]
    ) throws -> NATSServerProcess {
        let root = FileManager.default.temporaryDirectory
            .appendingPathComponent("tock-nats-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let server = NATSServerProcess(
            executable: try findExecutable(), port: freeLoopbackPort(), jetStream: jetStream, root: root,
            configFile: configFile, environment: environment)
        try server.launch()
        return server
    }

    private init(
        executable: URL, port: Int, jetStream: Bool, root: URL, configFile: String?, environment: [String: String]
    ) {
        self.executable = executable
        self.configFile = configFile
        self.environment = environment
        self.port = port
        self.jetStream = jetStream
        self.rootDirectory = root
        self.storeDirectory = root.appendingPathComponent("store", isDirectory: true)
        self.logFile = root.appendingPathComponent("nats-server.log")
    }

    /// SIGTERM and wait for exit (SIGKILL after 10 s). Idempotent.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard let process else { return }
        self.process = nil
        process.stop()
    }

    /// SIGKILL, as a crash would: no clean shutdown, so clients see their connections drop mid-stream.
    /// `restart()` starts it again on the same store.
    public func crash() {
        lock.lock()
        defer { lock.unlock() }
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        _ = process.waitForExit(within: .seconds(5))
    }

    /// Stops, then starts again on the same port with the same store.
    public func restart() throws {
        stop()
        try launch()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: rootDirectory)
    }

    private func launch() throws {
        lock.lock()
        defer { lock.unlock() }
        guard process == nil else { return }

        var arguments = configFile.map { ["-c", $0] } ?? []
        arguments += ["-a", "127.0.0.1", "-p", String(port)]
        if jetStream { arguments += ["-js", "-sd", storeDirectory.path] }
        if !FileManager.default.fileExists(atPath: logFile.path) {
            _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        }
        let log = try FileHandle(forWritingTo: logFile)
        log.seekToEndOfFile()

        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process

        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if !process.isRunning {
                self.process = nil
                let output = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
                throw StartError(description: "nats-server exited with \(process.terminationStatus):\n\(output)")
            }
            if Self.acceptsConnections(port: port) { return }
            Thread.sleep(forTimeInterval: 0.02)
        }
        process.terminate()
        _ = process.waitForExit(within: .seconds(5))
        self.process = nil
        throw StartError(description: "nats-server did not accept connections on port \(port) within 10 s")
    }

    private static func findExecutable() throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let candidates =
            path.split(separator: ":").map(String.init)
            + ["/usr/sbin", "/usr/local/sbin", "/usr/local/bin", "/usr/bin", "/opt/homebrew/bin"]
        for directory in candidates {
            let candidate = URL(fileURLWithPath: directory).appendingPathComponent("nats-server")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw StartError(description: "nats-server not found in PATH or /usr/sbin")
    }

    private static func acceptsConnections(port: Int) -> Bool {
        withLoopbackSocket(port: port) { fd, address in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
        } ?? false
    }
}
