import Foundation

/// A throwaway CA and a server certificate it signed for 127.0.0.1 and localhost, made with the openssl CLI in a
/// temporary directory (removed on deinit), for tests of HTTPS and NATS TLS.
public final class TestCertificates: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public let directory: URL
    public var caFile: String { directory.appendingPathComponent("ca.pem").path }
    public var certificateFile: String { directory.appendingPathComponent("server.pem").path }
    public var keyFile: String { directory.appendingPathComponent("server-key.pem").path }
    /// A second CA that signed nothing here: trusting only it must fail.
    public var otherCAFile: String { directory.appendingPathComponent("other-ca.pem").path }

    public init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tock-certs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let extensions = directory.appendingPathComponent("server.ext")
        try Data(
            """
            basicConstraints=CA:FALSE
            keyUsage=digitalSignature,keyEncipherment
            extendedKeyUsage=serverAuth,clientAuth
            subjectAltName=IP:127.0.0.1,DNS:localhost

            """.utf8
        ).write(to: extensions)
        let curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try run(
            ["req", "-x509"] + curve + [
                "-keyout", "ca-key.pem", "-out", "ca.pem", "-days", "2",
                "-subj", "/CN=Tock test CA",
            ])
        try run(
            ["req", "-x509"] + curve + [
                "-keyout", "other-ca-key.pem", "-out", "other-ca.pem", "-days", "2",
                "-subj", "/CN=Tock other CA",
            ])
        try run(["req"] + curve + ["-keyout", "server-key.pem", "-out", "server.csr", "-subj", "/CN=127.0.0.1"])
        try run([
            "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial",
            "-out", "server.pem", "-days", "2", "-extfile", "server.ext",
        ])
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    private func run(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        process.currentDirectoryURL = directory
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "openssl \(arguments.joined(separator: " ")) failed:\n\(text)")
        }
    }
}
