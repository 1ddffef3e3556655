import TockCore
import TockModel
import TockWire
import XCTest

@testable import TockExecutor

final class JobRunCheckTests: XCTestCase {
    let now: Int64 = 1_767_225_600_000_000_000
    let jobID = "3-01M83VB0PYJMTQ8CWMCAXSQF5W"

    var run: JobRun {
        JobRun(
            jobID: jobID, run: 1, shard: 3, priority: .high,
            target: HTTPTarget(
                url: "http://127.0.0.1:7090/hook", method: "POST",
                headers: [Header(name: "X-Trace", value: "a\tb")], body: Array("{}".utf8)),
            timeoutMs: 30_000, maxAttempts: 5, idempotencyKey: "order-1", dueAtNs: now, publishedAtNs: now,
            traceID: "")
    }

    let subject = "tock.jobs.high.3"

    func testARunAShardPublishesPasses() throws {
        XCTAssertEqual(try JobRunCheck.check(run, subject: subject, nowNs: now), run)
        var scheduledDB = run
        scheduledDB.webhookFormat = .scheduledDB
        scheduledDB.target.method = ""
        XCTAssertEqual(
            try JobRunCheck.check(scheduledDB, subject: subject, nowNs: now), scheduledDB,
            "the scheduled-db format sends POST whatever the method says")
    }

    func testRefusedRuns() {
        let cases: [(String, MessageRejection, String?, (inout JobRun) -> Void, String)] = [
            ("another shard's subject", .subject, nil, { _ in }, "tock.jobs.high.4"),
            ("another priority's subject", .subject, nil, { _ in }, "tock.jobs.low.3"),
            ("a shard token too large", .subject, nil, { _ in }, "tock.jobs.high.99999999999"),
            ("a shard token not a number", .subject, nil, { _ in }, "tock.jobs.high.abc"),
            ("an empty job id", .invalid, "job_id", { $0.jobID = "" }, subject),
            ("a job id of another shard", .invalid, "job_id", { $0.jobID = "4-01M83VB0PYJMTQ8CWMCAXSQF5W" }, subject),
            ("a job id with CR LF", .invalid, "job_id", { $0.jobID = "3-01M83VB0PYJMTQ8CWMCAXSQF5W\r\nX: 1" }, subject),
            ("run 0", .invalid, "run", { $0.run = 0 }, subject),
            ("an empty url", .invalid, "target.url", { $0.target.url = "" }, subject),
            ("a relative url", .invalid, "target.url", { $0.target.url = "/hook" }, subject),
            ("a file url", .invalid, "target.url", { $0.target.url = "file:///etc/passwd" }, subject),
            (
                "a unix socket url", .invalid, "target.url",
                { $0.target.url = "http+unix://%2Fvar%2Frun%2Fdocker.sock/x" }, subject
            ),
            ("a unix url", .invalid, "target.url", { $0.target.url = "unix:///var/run/docker.sock" }, subject),
            ("a url without host", .invalid, "target.url", { $0.target.url = "http:///hook" }, subject),
            ("an empty method", .invalid, "target.method", { $0.target.method = "" }, subject),
            (
                "a method with a space", .invalid, "target.method", { $0.target.method = "GET /admin HTTP/1.1\r\n" },
                subject
            ),
            (
                "a header name with CR LF", .invalid, "target.headers",
                {
                    $0.target.headers = [Header(name: "X\r\nInjected", value: "1")]
                }, subject
            ),
            (
                "an empty header name", .invalid, "target.headers",
                { $0.target.headers = [Header(name: "", value: "1")] }, subject
            ),
            (
                "a header value with LF", .invalid, "target.headers",
                {
                    $0.target.headers = [Header(name: "X-A", value: "1\nX-Injected: 2")]
                }, subject
            ),
            (
                "a header value with NUL", .invalid, "target.headers",
                { $0.target.headers = [Header(name: "X-A", value: "a\0b")] }, subject
            ),
            (
                "a header value with CR", .invalid, "target.headers",
                { $0.target.headers = [Header(name: "X-A", value: "1\r")] }, subject
            ),
            (
                "a header value with DEL", .invalid, "target.headers",
                { $0.target.headers = [Header(name: "X-A", value: "\u{7F}")] }, subject
            ),
            (
                "a Content-Length header", .invalid, "target.headers",
                {
                    $0.target.headers = [Header(name: "Content-Length", value: "0")]
                }, subject
            ),
            (
                "a Transfer-Encoding header", .invalid, "target.headers",
                {
                    $0.target.headers = [Header(name: "transfer-encoding", value: "chunked")]
                }, subject
            ),
            (
                "a Host header", .invalid, "target.headers",
                { $0.target.headers = [Header(name: "HOST", value: "evil")] }, subject
            ),
            (
                "an idempotency key with CR LF", .invalid, "idempotency_key", { $0.idempotencyKey = "k\r\nX: 1" },
                subject
            ),
            ("timeout 0", .invalid, "timeout_ms", { $0.timeoutMs = 0 }, subject),
            ("max attempts 0", .invalid, "max_attempts", { $0.maxAttempts = 0 }, subject),
            ("due at Int64.min", .invalid, "due_at_ns", { $0.dueAtNs = .min }, subject),
            ("due at Int64.max", .invalid, "due_at_ns", { $0.dueAtNs = .max }, subject),
            ("due 101 years ago", .invalid, "due_at_ns", { $0.dueAtNs = self.now - TimeWindow.spanNs - 1 }, subject),
        ]
        for (name, reason, field, mutate, subject) in cases {
            var run = self.run
            mutate(&run)
            XCTAssertThrowsError(try JobRunCheck.check(run, subject: subject, nowNs: now), name) { error in
                let problem = error as? MessageProblem
                XCTAssertEqual(problem?.reason, reason, name)
                XCTAssertEqual(problem?.field, field, name)
            }
        }
    }

    func testAcceptedAndClampedValues() throws {
        var run = self.run
        run.timeoutMs = 4_000_000_000
        XCTAssertEqual(
            try JobRunCheck.check(run, subject: subject, nowNs: now).timeoutMs, 900_000,
            "a timeout of 46 days is cut to the longest a shard accepts")
        run = self.run
        run.timeoutMs = 1
        run.maxAttempts = .max
        run.run = .max
        run.dueAtNs = now - TimeWindow.spanNs
        run.publishedAtNs = .min
        run.target.body = Array(repeating: 0, count: 2 << 20)
        run.target.method = "PROPFIND"
        // As a shard accepts it: the HTTP client sends the path percent-encoded (`/%0D%0AHost:%20b`).
        run.target.url = "http://a/\r\nHost: b"
        XCTAssertEqual(try JobRunCheck.check(run, subject: subject, nowNs: now), run)
    }
}

/// Runs whose destination is a NATS subject or a timer: anyone who can publish on `tock.jobs.>` could otherwise
/// make an executor publish, with its own credentials, to Tock's or the server's subjects.
final class JobRunCheckDestinationTests: XCTestCase {
    let now: Int64 = 1_767_225_600_000_000_000

    func run(_ destination: Destination) -> JobRun {
        JobRun(
            jobID: "3-01M83VB0PYJMTQ8CWMCAXSQF5W", run: 1, shard: 3, priority: .high, target: .empty,
            timeoutMs: 30_000, maxAttempts: 5, idempotencyKey: "", dueAtNs: now, publishedAtNs: now, traceID: "",
            destination: destination)
    }

    func testNATSAndTimerRunsAShardPublishesPass() throws {
        for destination in [
            Destination.timer,
            .nats(NATSTarget(subject: "orders.expire", headers: [Header(name: "X-Order", value: "4\t2")], body: [0])),
        ] {
            XCTAssertEqual(
                try JobRunCheck.check(run(destination), subject: "tock.jobs.high.3", nowNs: now), run(destination))
        }
    }

    func testForbiddenSubjectsAndHeadersAreRefused() {
        let cases: [(String, [Header], String)] = [
            ("tock.done.3", [], "nats_target.subject"),
            ("$JS.API.STREAM.DELETE.TOCK_DONE", [], "nats_target.subject"),
            ("_INBOX.x", [], "nats_target.subject"),
            ("a.*", [], "nats_target.subject"),
            ("", [], "nats_target.subject"),
            ("a", [Header(name: "Nats-Rollup", value: "all")], "nats_target.headers"),
            ("a", [Header(name: "Tock-Run", value: "9")], "nats_target.headers"),
            ("a", [Header(name: "X", value: "a\r\nb")], "nats_target.headers"),
        ]
        for (subject, headers, field) in cases {
            let forged = run(.nats(NATSTarget(subject: subject, headers: headers, body: [])))
            XCTAssertThrowsError(try JobRunCheck.check(forged, subject: "tock.jobs.high.3", nowNs: now), subject) {
                error in
                XCTAssertEqual((error as? MessageProblem)?.reason, .invalid, subject)
                XCTAssertEqual((error as? MessageProblem)?.field, field, subject)
            }
        }
    }
}
