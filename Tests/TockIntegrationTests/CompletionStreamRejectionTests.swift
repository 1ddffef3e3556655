import TockCore
import TockModel
import TockNATS
import TockTestSupport
import TockWire
import XCTest

/// Hostile messages on `tock.done.<shard>`, published to a real nats-server: the shard's leader terminates each
/// completion it cannot accept (the stream empties, nothing is redelivered, no job changes) and counts it by
/// reason; completions with over-long texts are stored cut; and a real job still succeeds afterwards.
final class CompletionStreamRejectionTests: XCTestCase {
    var tock: TockHarness!

    override func tearDown() async throws {
        await tock?.shutdown()
    }

    func completion(of jobID: String, _ change: (inout Completion) -> Void = { _ in }) -> Completion {
        let now = SystemWallClock().nowNs()
        var completion = Completion(
            jobID: jobID, run: 1, shard: 0, outcome: .failed, httpStatus: 500, attempts: 1,
            startedAtNs: now, finishedAtNs: now, executorID: "forger", error: "forged")
        change(&completion)
        return completion
    }

    func testHostileCompletionsAreTerminatedCountedAndChangeNothing() async throws {
        tock = try await TockHarness.start()
        // A job due in an hour: every completion below names it, and none may touch it.
        let created = try await tock.submit(#"{"url": "\#(tock.sink.baseURL)/later", "delay": "1h"}"#)
        let id = try XCTUnwrap(created["id"]?.string)
        let before = try await tock.job(id).json

        let connection = try NATSConnection.connect(url: tock.nats.url)
        defer { connection.close() }
        let js = try connection.jetStream()
        let cases: [(String, [UInt8], MessageRejection)] = [
            ("garbage", Array("not protobuf".utf8), .undecodable),
            ("an empty message", [], .undecodable),
            ("an unknown outcome", completion(of: id).encoded() + [0x20, 0x63], .undecodable),
            ("another shard's completion", completion(of: id) { $0.shard = 1 }.encoded(), .subject),
            ("run 0", completion(of: id) { $0.run = 0 }.encoded(), .invalid),
            ("0 attempts", completion(of: id) { $0.attempts = 0 }.encoded(), .invalid),
            ("status -1", completion(of: id) { $0.httpStatus = -1 }.encoded(), .invalid),
            ("status 70000", completion(of: id) { $0.httpStatus = 70000 }.encoded(), .invalid),
            ("finished at Int64.min", completion(of: id) { $0.finishedAtNs = .min }.encoded(), .invalid),
            ("finished at Int64.max", completion(of: id) { $0.finishedAtNs = .max }.encoded(), .invalid),
            ("started at Int64.min", completion(of: id) { $0.startedAtNs = .min }.encoded(), .invalid),
            ("a job id of another shard", completion(of: "1" + id.dropFirst()).encoded(), .invalid),
            ("a job id that is no Tock id", completion(of: "order-1").encoded(), .invalid),
        ]
        var expected: [MessageRejection: Double] = [:]
        for (_, payload, reason) in cases {
            _ = try await js.publish(subject: Subjects.done(shard: 0), payload: payload, msgID: nil)
            expected[reason, default: 0] += 1
        }
        // A well-formed completion of a job nobody holds is accepted and changes nothing.
        _ = try await js.publish(
            subject: Subjects.done(shard: 0),
            payload: completion(of: JobID.make(shard: 0, nowNs: 1)).encoded(), msgID: nil)

        let node = try XCTUnwrap(tock.node)
        _ = try await eventually("the shard to refuse \(cases.count) completions") {
            node.malformedCompletions == cases.count ? true : nil
        }
        for (reason, count) in expected {
            XCTAssertEqual(try tock.shardRejections(Subjects.doneFamily, reason), count, reason.rawValue)
        }
        try await assertDoneStreamDrains(js)
        let after = try await tock.job(id).json
        XCTAssertEqual(after, before, "a refused completion changed the job")

        try await tock.deliverAGoodJob()
        XCTAssertEqual(node.malformedCompletions, cases.count)
    }

    func testUnreadableHeadersAndSubjectsOfNoShard() async throws {
        tock = try await TockHarness.start()
        let raw = try RawNATSClient(port: tock.nats.port)
        try raw.subscribe("_INBOX.raw.*", id: 1)
        let good = completion(of: JobID.make(shard: 0, nowNs: 1)).encoded()
        try raw.publish(Subjects.done(shard: 0), reply: "_INBOX.raw.1", headerBlock: "garbage\r\n\r\n", payload: good)
        let ack = try raw.nextMessage()
        XCTAssertTrue(String(decoding: ack.payload, as: UTF8.self).contains("\"seq\""), "stored: \(ack)")

        let connection = try NATSConnection.connect(url: tock.nats.url)
        defer { connection.close() }
        let js = try connection.jetStream()
        for subject in ["tock.done.abc", "tock.done.5", "tock.done.99999999999", "tock.done.0.1", "tock.done.-1"] {
            do {
                _ = try await js.publish(subject: subject, payload: good, msgID: nil)
                XCTFail("\(subject) was stored")
            } catch {}
        }
        let node = try XCTUnwrap(tock.node)
        _ = try await eventually("the shard to refuse the unreadable message") {
            node.malformedCompletions == 1 ? true : nil
        }
        XCTAssertEqual(try tock.shardRejections(Subjects.doneFamily, .headers), 1)
        try await assertDoneStreamDrains(js)
        try await tock.deliverAGoodJob()
    }

    func testOverlongTextsAreStoredCutAndLargeCountsKept() async throws {
        tock = try await TockHarness.start(executor: false)
        let created = try await tock.submit(#"{"url": "\#(tock.sink.baseURL)/ok"}"#)
        let id = try XCTUnwrap(created["id"]?.string)
        _ = try await tock.waitForState(id, "published")

        let connection = try NATSConnection.connect(url: tock.nats.url)
        defer { connection.close() }
        let js = try connection.jetStream()
        let forged = completion(of: id) {
            $0.error = String(repeating: "é", count: 450 * 1024)
            $0.executorID = String(repeating: "x", count: 100_000)
            $0.attempts = 4_000_000_000
            $0.httpStatus = 999
        }
        _ = try await js.publish(subject: Subjects.done(shard: 0), payload: forged.encoded(), msgID: nil)
        let job = try await tock.waitForState(id, "failed")
        XCTAssertEqual(job["last_error"]?.string?.utf8.count, 2048)
        XCTAssertEqual(job["executor_id"]?.string?.utf8.count, 256)
        XCTAssertEqual(job["attempts"]?.int, 4_000_000_000)
        XCTAssertEqual(job["last_status"]?.int, 999)
        XCTAssertEqual(tock.node?.malformedCompletions, 0)
        try await assertDoneStreamDrains(js)

        tock.startExecutor(backoffBase: .milliseconds(200))
        try await tock.deliverAGoodJob()
    }

    func assertDoneStreamDrains(_ js: JetStream, file: StaticString = #filePath, line: UInt = #line) async throws {
        _ = try await eventually("the done stream to be empty", file: file, line: line) {
            try js.streamInfo(Subjects.doneStream).messages == 0 ? true : nil
        }
        let consumer = try js.consumerInfo(stream: Subjects.doneStream, consumer: Subjects.doneConsumer(shard: 0))
        XCTAssertEqual(consumer.numAckPending, 0, file: file, line: line)
        XCTAssertEqual(consumer.numRedelivered, 0, file: file, line: line)
    }
}
