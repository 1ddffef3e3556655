import TockCore
import TockModel
import TockNATS
import TockTestSupport
import TockWire
import XCTest

/// Hostile messages on `tock.jobs.<priority>.<shard>`, published to a real nats-server: the executor terminates
/// each one it must not call (the stream empties, nothing is redelivered, the webhook is never called) and counts
/// it by reason; runs with values it clamps are called; and a real job still succeeds afterwards.
final class JobStreamRejectionTests: XCTestCase {
    var tock: TockHarness!

    override func setUp() async throws {
        tock = try await TockHarness.start()
    }

    override func tearDown() async throws {
        await tock?.shutdown()
    }

    func run(_ path: String, _ change: (inout JobRun) -> Void = { _ in }) -> JobRun {
        let now = SystemWallClock().nowNs()
        var run = JobRun(
            jobID: JobID.make(shard: 0, nowNs: now), run: 1, shard: 0, priority: .normal,
            target: HTTPTarget(url: "\(tock.sink.baseURL)/\(path)", method: "POST", headers: [], body: []),
            timeoutMs: 5_000, maxAttempts: 1, idempotencyKey: "", dueAtNs: now, publishedAtNs: now,
            traceID: "")
        change(&run)
        return run
    }

    func testHostileRunsAreTerminatedUncalledAndCounted() async throws {
        let connection = try NATSConnection.connect(url: tock.nats.url)
        defer { connection.close() }
        let js = try connection.jetStream()
        let subject = Subjects.jobs(priority: .normal, shard: 0)
        let cases: [(String, [UInt8], MessageRejection)] = [
            ("garbage", [0xFF, 0x01, 0x02], .undecodable),
            ("an empty message", [], .undecodable),
            (
                "a completion",
                Completion(
                    jobID: "0-01M83VB0PYJMTQ8CWMCAXSQF5W", run: 1, shard: 0, outcome: .succeeded,
                    httpStatus: 200, attempts: 1, startedAtNs: 1, finishedAtNs: 1, executorID: "x",
                    error: ""
                ).encoded(), .undecodable
            ),
            ("an unknown priority", run("never").encoded() + [0x20, 0x63], .undecodable),
            ("an unknown webhook format", run("never").encoded() + [0x60, 0x07], .undecodable),
            ("another shard's run", run("never") { $0.shard = 1 }.encoded(), .subject),
            ("another priority's run", run("never") { $0.priority = .high }.encoded(), .subject),
            ("an empty url", run("never") { $0.target.url = "" }.encoded(), .invalid),
            ("a unix socket url", run("never") { $0.target.url = "unix:///var/run/docker.sock" }.encoded(), .invalid),
            ("a file url", run("never") { $0.target.url = "file:///etc/passwd" }.encoded(), .invalid),
            (
                "a method with CR LF", run("never") { $0.target.method = "GET / HTTP/1.1\r\nX: 1\r\n" }.encoded(),
                .invalid
            ),
            (
                "a header name with CR LF",
                run("never") {
                    $0.target.headers = [Header(name: "X-A\r\nX-B", value: "1")]
                }.encoded(), .invalid
            ),
            (
                "a header value with LF",
                run("never") {
                    $0.target.headers = [Header(name: "X-A", value: "1\nX-Injected: yes")]
                }.encoded(), .invalid
            ),
            (
                "a Content-Length header",
                run("never") {
                    $0.target.headers = [Header(name: "Content-Length", value: "100")]
                }.encoded(), .invalid
            ),
            ("an idempotency key with CR LF", run("never") { $0.idempotencyKey = "k\r\nX: 1" }.encoded(), .invalid),
            ("timeout 0", run("never") { $0.timeoutMs = 0 }.encoded(), .invalid),
            ("max attempts 0", run("never") { $0.maxAttempts = 0 }.encoded(), .invalid),
            ("run 0", run("never") { $0.run = 0 }.encoded(), .invalid),
            ("due at Int64.min", run("never") { $0.dueAtNs = .min }.encoded(), .invalid),
            ("due at Int64.max", run("never") { $0.dueAtNs = .max }.encoded(), .invalid),
            (
                "a job id of another shard",
                run("never") { $0.jobID = JobID.make(shard: 7, nowNs: $0.dueAtNs) }.encoded(),
                .invalid
            ),
            ("a job id that is no Tock id", run("never") { $0.jobID = "order-1" }.encoded(), .invalid),
        ]
        var expected: [MessageRejection: Double] = [:]
        for (_, payload, reason) in cases {
            _ = try await js.publish(subject: subject, payload: payload, msgID: nil)
            expected[reason, default: 0] += 1
        }
        let executor = try XCTUnwrap(tock.executor)
        _ = try await eventually("the executor to refuse \(cases.count) messages") {
            executor.stats.malformed == cases.count ? true : nil
        }
        for (reason, count) in expected {
            XCTAssertEqual(try tock.executorRejections("normal", reason), count, reason.rawValue)
        }
        try await assertStreamDrains(js)
        XCTAssertEqual(tock.sink.requests.filter { $0.path == "/never" }.count, 0, "a refused run called its webhook")

        try await tock.deliverAGoodJob()
        XCTAssertEqual(executor.stats.malformed, cases.count)
    }

    func testRunsWithClampedOrUnusedValuesAreCalled() async throws {
        let connection = try NATSConnection.connect(url: tock.nats.url)
        defer { connection.close() }
        let js = try connection.jetStream()
        let subject = Subjects.jobs(priority: .normal, shard: 0)
        let accepted = [
            run("clamped-timeout") { $0.timeoutMs = 4_000_000_000 },
            run("huge-body") { $0.target.body = Array(repeating: UInt8(ascii: "a"), count: 900 * 1024) },
            run("crlf") { $0.target.url += "\r\nX-Injected: yes" },
            run("absurd-numbers") {
                $0.maxAttempts = .max
                $0.run = .max
                $0.publishedAtNs = .min
                $0.traceID = String(repeating: "t", count: 10_000)
            },
        ]
        for run in accepted {
            _ = try await js.publish(subject: subject, payload: run.encoded(), msgID: nil)
        }
        _ = try await eventually("every accepted run to be called") {
            tock.sink.requests.count == accepted.count ? true : nil
        }
        let paths = tock.sink.requests.map(\.path)
        for path in ["/clamped-timeout", "/huge-body", "/absurd-numbers"] { XCTAssertTrue(paths.contains(path), path) }
        // CR LF in a URL cannot add a header: the client percent-encodes the path.
        XCTAssertTrue(paths.contains { $0.hasPrefix("/crlf%0D%0A") || $0.hasPrefix("/crlf\r\n") }, "\(paths)")
        XCTAssertFalse(tock.sink.requests.contains { $0.headers["x-injected"] != nil })
        try await assertStreamDrains(js)
        XCTAssertEqual(tock.executor?.stats.malformed, 0)
        // Their completions name jobs this shard does not hold: accepted, and they change nothing.
        _ = try await eventually("the completions to be taken") {
            try js.streamInfo(Subjects.doneStream).messages == 0 ? true : nil
        }
        XCTAssertEqual(tock.node?.malformedCompletions, 0)
    }

    func testUnreadableHeadersAndSubjectsOfNoShard() async throws {
        let raw = try RawNATSClient(port: tock.nats.port)
        try raw.subscribe("_INBOX.raw.*", id: 1)
        let good = run("never").encoded()
        // A run that would decode, behind a header block that cannot be read: stored by JetStream, then refused.
        try raw.publish(
            Subjects.jobs(priority: .normal, shard: 0), reply: "_INBOX.raw.1", headerBlock: "garbage\r\n\r\n",
            payload: good)
        let ack = try raw.nextMessage()
        XCTAssertTrue(String(decoding: ack.payload, as: UTF8.self).contains("\"seq\""), "stored: \(ack)")

        // The streams take the subjects of the layout's shards only (one here): the broker refuses the rest.
        let connection = try NATSConnection.connect(url: tock.nats.url)
        defer { connection.close() }
        let js = try connection.jetStream()
        for subject in [
            "tock.jobs.normal.99999999999", "tock.jobs.normal.1", "tock.jobs.normal.abc",
            "tock.jobs.normal.0.extra", "tock.jobs.urgent.0",
        ] {
            do {
                _ = try await js.publish(subject: subject, payload: good, msgID: nil)
                XCTFail("\(subject) was stored")
            } catch {}
        }

        let executor = try XCTUnwrap(tock.executor)
        _ = try await eventually("the executor to refuse the unreadable message") {
            executor.stats.malformed == 1 ? true : nil
        }
        XCTAssertEqual(try tock.executorRejections("normal", .headers), 1)
        try await assertStreamDrains(js)
        XCTAssertEqual(tock.sink.requests.count, 0)
        try await tock.deliverAGoodJob()
    }

    /// Terminated messages leave the work-queue stream at once and are not delivered again.
    func assertStreamDrains(_ js: JetStream, file: StaticString = #filePath, line: UInt = #line) async throws {
        _ = try await eventually("the normal jobs stream to be empty", file: file, line: line) {
            try js.streamInfo(Subjects.jobsStream(priority: .normal)).messages == 0 ? true : nil
        }
        let consumer = try js.consumerInfo(
            stream: Subjects.jobsStream(priority: .normal),
            consumer: Subjects.executorConsumer(priority: .normal))
        XCTAssertEqual(consumer.numAckPending, 0, file: file, line: line)
        XCTAssertEqual(consumer.numRedelivered, 0, file: file, line: line)
    }
}

extension TockHarness {
    /// Submits a job over HTTP and waits for its webhook to succeed: the pipeline still works.
    func deliverAGoodJob(file: StaticString = #filePath, line: UInt = #line) async throws {
        let created = try await submit(#"{"url": "\#(sink.baseURL)/ok"}"#)
        let id = try XCTUnwrap(created["id"]?.string, "\(created.json)", file: file, line: line)
        _ = try await waitForState(id, "succeeded", file: file, line: line)
    }
}
