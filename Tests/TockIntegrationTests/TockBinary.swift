import Foundation
import XCTest

/// The `tock` executable, run as a real process by the tests that need one.
enum TockBinary {
    /// Built beside the test bundle by `swift build` (ops/test does it); TOCK_BINARY overrides.
    static func url() throws -> URL {
        if let path = ProcessInfo.processInfo.environment["TOCK_BINARY"] { return URL(fileURLWithPath: path) }
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("tock")
        let candidates = [beside, Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("tock")]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            XCTFail("no tock executable at \(candidates.map(\.path)); run `swift build` before the tests")
            throw CancellationError()
        }
        return found
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Starts `tock <arguments>` in the background with stdout and stderr appended to `log`. `environment` is
    /// added to the test's own.
    static func launch(
        _ arguments: [String], log logURL: URL, in directory: URL? = nil, environment: [String: String] = [:]
    ) throws -> Process {
        if !FileManager.default.fileExists(atPath: logURL.path) {
            _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        }
        let log = try FileHandle(forWritingTo: logURL)
        log.seekToEndOfFile()
        let process = Process()
        process.executableURL = try url()
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, given in given }
        }
        process.standardOutput = log
        process.standardError = log
        try process.run()
        return process
    }

    /// Runs `tock <arguments>` to completion (bounded by the command's own timeouts) and captures its output.
    /// `environment` is added to the test's own.
    static func run(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]) throws
        -> Result
    {
        let process = Process()
        process.executableURL = try url()
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, given in given }
        }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// The repository root, where `nats/` lives.
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }
}
