import Foundation
import TockCore
import TockTestSupport
import XCTest

/// The `tock` binary with every security flag of this slice, against nats/secure.conf and an HTTPS API: NATS_URL
/// with a password in it, --nats-user/--nats-password-file, inbox prefixes, --tls-cert/--tls-key, and
/// `tock submit --server https://... --tls-ca`. No password reaches a log.
final class SecureCLITests: XCTestCase {
    private static let passwords = [
        "admin": "admin-pw-9f2", "shard": "shard-pw-4c1", "executor": "executor-pw-7b3", "api": "api-pw-2d8",
        "client": "client-pw-5e6",
    ]
    func testAJobRunsThroughSecuredNATSAndHTTPSAndNoPasswordIsLogged() async throws {
        let environment = Dictionary(
            uniqueKeysWithValues: Self.passwords.map {
                ("TOCK_NATS_\($0.key.uppercased())_PASSWORD", $0.value)
            })
        let nats = try NATSServerProcess.start(
            configFile: TockBinary.repositoryRoot.appendingPathComponent("nats/secure.conf").path,
            environment: environment)
        let certificates = try TestCertificates()
        let sink = try await WebhookSink.start()
        defer { sink.stop() }
        var processes: [Process] = []
        // Stopped before the sink: a shard stopped after it took 40 s to exit.
        defer {
            for process in processes where process.isRunning {
                process.stop()
            }
        }
        let directory = certificates.directory
        let passwordFile = directory.appendingPathComponent("executor.password")
        try Data((Self.passwords["executor"]! + "\n").utf8).write(to: passwordFile)

        let applied = try TockBinary.run(
            ["nats", "apply"], in: TockBinary.repositoryRoot,
            environment: [
                "NATS_URL": "nats://admin:\(Self.passwords["admin"]!)@127.0.0.1:\(nats.port)"
            ])
        XCTAssertEqual(applied.status, 0, applied.stderr)

        let port = freeLoopbackPort()
        let shardLog = directory.appendingPathComponent("shard.log")
        processes.append(
            try TockBinary.launch(
                [
                    "shard", "--data", directory.appendingPathComponent("data").path, "--http", "127.0.0.1:\(port)",
                    "--nats-url", "nats://shard:\(Self.passwords["shard"]!)@127.0.0.1:\(nats.port)",
                    "--nats-inbox-prefix", "_TOCK.shard", "--tls-cert", certificates.certificateFile,
                    "--tls-key", certificates.keyFile, "--log-level", "debug",
                ], log: shardLog))
        let executorLog = directory.appendingPathComponent("executor.log")
        processes.append(
            try TockBinary.launch(
                [
                    "executor", "--nats-url", "nats://127.0.0.1:\(nats.port)", "--nats-user", "executor",
                    "--nats-password-file", passwordFile.path, "--nats-inbox-prefix", "_TOCK.executor", "--metrics",
                    "off",
                    "--allow-egress", "127.0.0.1",
                    "--log-level", "debug",
                ], log: executorLog))

        let submit = [
            "submit", "--url", "\(sink.baseURL)/ok", "--server", "https://127.0.0.1:\(port)",
            "--tls-ca", certificates.caFile,
        ]
        let submitted = try await eventually("the HTTPS shard to take the job") { () -> TockBinary.Result? in
            let result = try TockBinary.run(submit)
            return result.status == 0 ? result : nil
        }
        let job = try JSONDecoder().decode(JSONValue.self, from: Data(submitted.stdout.utf8))
        let id = try XCTUnwrap(job["id"]?.string)
        _ = try await eventually("the webhook to be called") { sink.requests(forJob: id).isEmpty ? nil : true }

        let untrusted = try TockBinary.run([
            "submit", "--url", "\(sink.baseURL)/ok", "--server",
            "https://127.0.0.1:\(port)",
        ])
        XCTAssertEqual(untrusted.status, 2, "a server certificate from an unknown CA was accepted: \(untrusted.stdout)")

        let logs = [
            applied.stdout, applied.stderr, try String(contentsOf: shardLog, encoding: .utf8),
            try String(contentsOf: executorLog, encoding: .utf8),
        ]
        for (index, log) in logs.enumerated() {
            for (user, password) in Self.passwords {
                XCTAssertFalse(log.contains(password), "log \(index) shows \(user)'s password:\n\(log)")
            }
        }
        XCTAssertTrue(logs[2].contains("***@127.0.0.1:\(nats.port)"), "the shard logs its NATS server:\n\(logs[2])")
        let serverLog = try String(contentsOf: nats.logFile, encoding: .utf8)
        XCTAssertFalse(serverLog.contains("Violation"), serverLog)
    }
}
