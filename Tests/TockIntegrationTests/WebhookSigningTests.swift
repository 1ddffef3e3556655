import Crypto
import Foundation
import TockCore
import TockExecutor
import TockTestSupport
import XCTest

/// A receiver can verify `Tock-Signature` and the Standard Webhooks `webhook-signature` with nothing but a secret and
/// the raw request, as ops/SECURITY.md, "Webhook signing", shows. (ops/check-signatures verifies them with the
/// `standardwebhooks` package.)
final class WebhookSigningTests: XCTestCase {
    var tock: TockHarness?
    var executorProcess: Process?

    override func tearDown() async throws {
        if let executorProcess, executorProcess.isRunning {
            executorProcess.stop()
        }
        await tock?.shutdown()
    }

    func testDeliveredRequestCarriesAValidSignature() async throws {
        let secret = "whsec-\(UUID().uuidString)"
        let next = "rotated-in-\(UUID().uuidString)"
        let tock = try await TockHarness.start {
            $0.webhookSigner = WebhookSigner(keys: [Array(secret.utf8), Array(next.utf8)])
        }
        self.tock = tock
        let before = SystemWallClock().nowNs() / 1_000_000_000
        let created = try await tock.submit(
            #"{"url": "\#(tock.sink.baseURL)/ok", "body": {"order": 42, "note": "é"}}"#)
        let id = try XCTUnwrap(created["id"]?.string)
        _ = try await tock.waitForState(id, "succeeded")
        let after = SystemWallClock().nowNs() / 1_000_000_000

        let request = try XCTUnwrap(tock.sink.requests(forJob: id).first)
        let (timestamp, signature) = try parse(try XCTUnwrap(request.headers["tock-signature"]))
        XCTAssertTrue((before...after).contains(timestamp), "t=\(timestamp) not within \(before)...\(after)")
        XCTAssertEqual(signature, expectedSignature(secret: secret, timestamp: timestamp, body: request.bodyBytes))
        XCTAssertNotEqual(signature, expectedSignature(secret: "other", timestamp: timestamp, body: request.bodyBytes))

        XCTAssertEqual(request.headers["webhook-id"], "\(id)/1", "the run's id, the same on every attempt")
        XCTAssertEqual(request.headers["webhook-timestamp"], "\(timestamp)")
        let signed = Array("\(id)/1.\(timestamp).".utf8) + request.bodyBytes
        XCTAssertEqual(
            request.headers["webhook-signature"],
            [secret, next].map { key in
                "v1,"
                    + Data(HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Array(key.utf8))))
                    .base64EncodedString()
            }.joined(separator: " "))
    }

    func testExecutorCommandSignsWithTheSecretFromItsFile() async throws {
        let tock = try await TockHarness.start(executor: false)
        self.tock = tock
        let secretFile = tock.dataDirectory.appendingPathComponent("signing-secret")
        try Data("from-a-file\n".utf8).write(to: secretFile)
        let process = Process()
        process.executableURL = try TockBinary.url()
        process.arguments = [
            "executor", "--nats-url", tock.nats.url, "--signing-secret-file", secretFile.path,
            "--allow-egress", "127.0.0.1", "--log-level", "warning",
        ]
        try process.run()
        executorProcess = process

        let created = try await tock.submit(#"{"url": "\#(tock.sink.baseURL)/ok", "body": "signed"}"#)
        let id = try XCTUnwrap(created["id"]?.string)
        _ = try await tock.waitForState(id, "succeeded")
        let request = try XCTUnwrap(tock.sink.requests(forJob: id).first)
        let (timestamp, signature) = try parse(try XCTUnwrap(request.headers["tock-signature"]))
        XCTAssertEqual(
            signature,
            expectedSignature(secret: "from-a-file", timestamp: timestamp, body: Array("signed".utf8)),
            "the trailing newline is not part of the secret")
    }

    func testExecutorCommandRefusesAnEmptySecretFile() async throws {
        let file = FileManager.default.temporaryDirectory
            .appendingPathComponent("tock-empty-secret-\(UUID().uuidString)")
        try Data("\n".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try TockBinary.run(["executor", "--signing-secret-file", file.path])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("no secret in it"), result.stderr)
    }

    /// `t=<seconds>,v1=<hex>`, split the way a receiver would.
    private func parse(_ header: String) throws -> (Int64, String) {
        var fields: [String: String] = [:]
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            if pair.count == 2 { fields[pair[0]] = pair[1] }
        }
        return (try XCTUnwrap(fields["t"].flatMap { Int64($0) }, header), try XCTUnwrap(fields["v1"], header))
    }

    /// HMAC-SHA256(secret, "<t>.<body>") in lowercase hex, computed here independently of `WebhookSigner`.
    private func expectedSignature(secret: String, timestamp: Int64, body: [UInt8]) -> String {
        let code = HMAC<SHA256>.authenticationCode(
            for: Array("\(timestamp).".utf8) + body,
            using: SymmetricKey(data: Array(secret.utf8)))
        return code.map { String(format: "%02x", $0) }.joined()
    }
}
