import Crypto
import Foundation
import TockCore
import TockExecutor
import TockNATS
import TockTestSupport
import XCTest

/// Callbacks with a real shard, executor and sink: signed like webhooks and verifiable, the failure callback only
/// on failure, and none made to an address the egress guard refuses.
final class CallbackDeliveryTests: XCTestCase {
    var tock: TockHarness?

    override func tearDown() async throws {
        await tock?.shutdown()
    }

    private func callbacks(_ tock: TockHarness, _ id: String, path: String) -> [WebhookSink.Received] {
        tock.sink.requests(forJob: id).filter { $0.path == path }
    }

    func testCallbacksAreSignedAndTheFailureCallbackComesOnlyOnFailure() async throws {
        let secret = "cb-secret-\(UUID().uuidString)"
        let tock = try await TockHarness.start { $0.webhookSigner = WebhookSigner(keys: [Array(secret.utf8)]) }
        self.tock = tock
        let base = tock.sink.baseURL
        let ok = try await tock.submit(
            #"""
            {"url": "\#(base)/ok", "callback_url": "\#(base)/cb/outcome", "failure_callback_url": "\#(base)/cb/failure"}
            """#)
        let okID = try XCTUnwrap(ok["id"]?.string)
        let bad = try await tock.submit(
            #"""
            {"url": "\#(base)/status/410", "callback_url": "\#(base)/cb/outcome",
             "failure_callback_url": "\#(base)/cb/failure"}
            """#)
        let badID = try XCTUnwrap(bad["id"]?.string)
        XCTAssertEqual(bad["failure_callback_url"]?.string, "\(base)/cb/failure")

        let okCallback = try await eventually("the success callback") {
            callbacks(tock, okID, path: "/cb/outcome").first
        }
        _ = try await eventually("both callbacks of the failure") {
            callbacks(tock, badID, path: "/cb/failure").first.flatMap { _ in
                callbacks(tock, badID, path: "/cb/outcome").first
            }
        }
        let failureCallback = try XCTUnwrap(callbacks(tock, badID, path: "/cb/failure").first)

        let body = try JSONDecoder().decode(JSONValue.self, from: Data(okCallback.bodyBytes))
        XCTAssertEqual(body["job_id"]?.string, okID)
        XCTAssertEqual(body["state"]?.string, "succeeded")
        XCTAssertEqual(body["run"]?.int, 1)
        XCTAssertEqual(body["attempts"]?.int, 1)
        XCTAssertEqual(body["last_status"]?.int, 200)
        XCTAssertNil(body["error"])
        XCTAssertNotNil(body["finished_at"]?.string.flatMap(RFC3339.parseNs))
        XCTAssertEqual(okCallback.headers["content-type"], "application/json")
        XCTAssertEqual(okCallback.headers["tock-callback"], "outcome")
        try verify(okCallback, secret: secret, id: "\(okID)/1/succeeded/outcome")

        let failure = try JSONDecoder().decode(JSONValue.self, from: Data(failureCallback.bodyBytes))
        XCTAssertEqual(failure["state"]?.string, "failed")
        XCTAssertEqual(failure["last_status"]?.int, 410)
        XCTAssertEqual(failure["error"]?.string, "HTTP 410")
        try verify(failureCallback, secret: secret, id: "\(badID)/1/failed/failure")

        // The succeeded job's event was handled whole when its outcome callback arrived.
        XCTAssertEqual(callbacks(tock, okID, path: "/cb/failure").count, 0, "no failure callback on success")
    }

    func testACallbackToARefusedAddressIsNotMade() async throws {
        // The sink's address is allowed; the rest of loopback is not.
        let tock = try await TockHarness.start {
            var policy = EgressPolicy()
            try? policy.allow("127.0.0.1/32")
            $0.allowEgress = policy
        }
        self.tock = tock
        let base = tock.sink.baseURL
        let refusedURL = "http://127.0.0.2:\(tock.sink.port)/cb/outcome"
        let job = try await tock.submit(
            #"""
            {"url": "\#(base)/status/400", "callback_url": "\#(refusedURL)", "failure_callback_url": "\#(base)/cb/failure"}
            """#)
        let id = try XCTUnwrap(job["id"]?.string)
        _ = try await eventually("the allowed failure callback") { callbacks(tock, id, path: "/cb/failure").first }
        let executor = try XCTUnwrap(tock.executor)
        let refused = try PrometheusText(parsing: executor.prometheusExposition())
            .value("tock_executor_egress_refused_total", ["reason": "loopback"])
        XCTAssertEqual(refused, 1, "the refused callback was counted, and made no request")
        XCTAssertEqual(callbacks(tock, id, path: "/cb/outcome").count, 0)
    }

    /// Retried as a webhook is: a 5xx is nak'd with the back-off and delivered again, up to the job's
    /// max_attempts; then the event is terminated.
    func testAFailingCallbackIsRetriedUpToTheJobsMaxAttempts() async throws {
        let tock = try await TockHarness.start()
        self.tock = tock
        let base = tock.sink.baseURL
        // The sink fails a job's first 2 requests: the webhook's (its path /ok answers 200 anyway) and the first
        // callback's; the second callback is answered 200.
        let recovering = try await tock.submit(#"{"url": "\#(base)/ok", "callback_url": "\#(base)/fail/2/cb"}"#)
        let recoveringID = try XCTUnwrap(recovering["id"]?.string)
        let failing = try await tock.submit(
            #"{"url": "\#(base)/ok", "max_attempts": 2, "callback_url": "\#(base)/always-fail"}"#)
        let failingID = try XCTUnwrap(failing["id"]?.string)

        let connection = try NATSConnection.connect(url: tock.nats.url)
        defer { connection.close() }
        let js = try connection.jetStream()
        // Both events settled: neither waiting nor out with an executor.
        _ = try await eventually(within: .seconds(20), "both events acked or terminated") { () -> Bool? in
            let state = try js.consumerInfo(stream: Subjects.eventsStream, consumer: Subjects.callbackConsumer)
            let settled =
                state.numPending == 0 && state.numAckPending == 0
                && callbacks(tock, failingID, path: "/always-fail").count >= 2
                && callbacks(tock, recoveringID, path: "/fail/2/cb").count >= 2
            return settled ? true : nil
        }
        XCTAssertEqual(
            callbacks(tock, recoveringID, path: "/fail/2/cb").map { $0.headers["tock-attempt"] },
            ["1", "2"], "delivered on its second attempt, and not again")
        XCTAssertEqual(
            callbacks(tock, failingID, path: "/always-fail").map { $0.headers["tock-attempt"] },
            ["1", "2"], "the job's max_attempts, then dropped")
    }

    func testASubmitWithABadCallbackURLIsRefusedNamingTheField() async throws {
        let tock = try await TockHarness.start(executor: false)
        self.tock = tock
        let reply = try await tock.submit(#"{"url": "\#(tock.sink.baseURL)/ok", "failure_callback_url": "ftp://x/"}"#)
        XCTAssertEqual(reply.status, 400)
        XCTAssertEqual(reply["error"]?["field"]?.string, "failure_callback_url")
    }

    /// Standard Webhooks: `v1,<base64 HMAC-SHA256(secret, "<id>.<timestamp>.<body>")>`.
    private func verify(
        _ request: WebhookSink.Received, secret: String, id: String,
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        XCTAssertEqual(request.headers["webhook-id"], id, file: file, line: line)
        let timestamp = try XCTUnwrap(request.headers["webhook-timestamp"], file: file, line: line)
        let signed = Array("\(id).\(timestamp).".utf8) + request.bodyBytes
        let expected =
            "v1,"
            + Data(
                HMAC<SHA256>.authenticationCode(
                    for: signed, using: SymmetricKey(data: Array(secret.utf8)))
            ).base64EncodedString()
        XCTAssertEqual(request.headers["webhook-signature"], expected, file: file, line: line)
    }
}
