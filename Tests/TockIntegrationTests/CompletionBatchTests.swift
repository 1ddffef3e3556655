import TockCore
import TockModel
import TockNATS
import TockTestSupport
import TockWire
import XCTest

@testable import TockExecutor

/// Completions several to a message (`CompletionBatch`, header `Tock-Completions`), against a real nats-server and
/// shard: an executor under load groups them and every job still ends once; the shard commits the good completions
/// of a batch and refuses only the bad ones; a batch it cannot read is terminated and counted.
final class CompletionBatchTests: XCTestCase {
    var tock: TockHarness!

    override func tearDown() async throws {
        await tock?.shutdown()
    }

    func testAnExecutorUnderLoadPublishesFewerMessagesThanCompletionsAndEveryJobEndsOnce() async throws {
        tock = try await TockHarness.start()
        let count = 400
        let jobs = (0..<count).map { _ in #"{"url": "\#(tock.sink.baseURL)/ok"}"# }
        let reply = try await tock.request(
            .POST, "/v1/jobs:batch", body: #"{"jobs": [\#(jobs.joined(separator: ","))]}"#)
        XCTAssertEqual(reply.status, 200, "\(reply.json)")
        let ids = reply["results"]?.array?.compactMap { $0["job"]?["id"]?.string } ?? []
        XCTAssertEqual(ids.count, count)

        _ = try await eventually(within: .seconds(60), "every job succeeded") {
            let counts = try await self.tock.request(.GET, "/v1/jobs:counts")
            return counts["total"]?["succeeded"]?.int == Int64(count) ? true : nil
        }
        let connection = try NATSConnection.connect(url: tock.nats.url)
        defer { connection.close() }
        let js = try connection.jetStream()
        let done = try js.streamInfo(Subjects.doneStream)
        XCTAssertLessThan(done.lastSequence, UInt64(count), "completions grouped into fewer messages")
        let perMessage = CompletionPublisher.maxPerMessage
        XCTAssertGreaterThanOrEqual(done.lastSequence, UInt64((count + perMessage - 1) / perMessage))
        for id in ids {
            XCTAssertEqual(tock.sink.requests(forJob: id).count, 1, "job \(id) called once")
        }
        XCTAssertEqual(tock.node?.malformedCompletions, 0)
    }

    func testTheShardCommitsABatchsGoodCompletionsAndRefusesOnlyItsBadOnes() async throws {
        tock = try await TockHarness.start(executor: false)
        var ids: [String] = []
        for _ in 0..<3 {
            let created = try await tock.submit(#"{"url": "\#(tock.sink.baseURL)/ok"}"#)
            ids.append(try XCTUnwrap(created["id"]?.string))
        }
        for id in ids { _ = try await tock.waitForState(id, "published") }

        let connection = try NATSConnection.connect(url: tock.nats.url)
        defer { connection.close() }
        let js = try connection.jetStream()
        let batch = CompletionBatch(completions: [
            completion(of: ids[0]), completion(of: ids[1]) { $0.run = 0 }, completion(of: ids[1]),
            completion(of: ids[2]) { $0.shard = 1 }, completion(of: ids[2]),
        ])
        _ = try await publish(batch, count: "5", on: js)

        for id in ids {
            let job = try await tock.waitForState(id, "failed")
            XCTAssertEqual(job["last_error"]?.string, "batched", id)
        }
        _ = try await eventually("the shard to refuse two completions") {
            self.tock.node?.malformedCompletions == 2 ? true : nil
        }
        XCTAssertEqual(try tock.shardRejections(Subjects.doneFamily, .invalid), 1)
        XCTAssertEqual(try tock.shardRejections(Subjects.doneFamily, .subject), 1)
        try await assertDoneStreamDrains(js)
    }

    func testBatchesThatCannotBeReadOrHoldNothingAcceptableAreTerminatedAndCounted() async throws {
        tock = try await TockHarness.start(executor: false)
        let created = try await tock.submit(#"{"url": "\#(tock.sink.baseURL)/later", "delay": "1h"}"#)
        let id = try XCTUnwrap(created["id"]?.string)
        let before = try await tock.job(id).json

        let connection = try NATSConnection.connect(url: tock.nats.url)
        defer { connection.close() }
        let js = try connection.jetStream()
        let two = CompletionBatch(completions: [completion(of: id), completion(of: id)])
        let onlyBad = CompletionBatch(completions: [completion(of: id) { $0.attempts = 0 }])
        // (what is published, its Tock-Completions header, why it is refused)
        let cases: [([UInt8], String, MessageRejection)] = [
            (two.encoded(), "3", .headers),  // not the batch's count
            (two.encoded(), "two", .headers),  // no number
            (CompletionBatch(completions: []).encoded(), "0", .headers),  // nothing in it
            (completion(of: id).encoded(), "1", .undecodable),  // a single completion marked as a batch
            (onlyBad.encoded(), "1", .invalid),  // its one completion refused
        ]
        var expected: [MessageRejection: Double] = [:]
        for (payload, count, reason) in cases {
            _ = try await js.publish(
                subject: Subjects.done(shard: 0), payload: payload, msgID: nil,
                headers: [Subjects.completionCountHeader: count])
            expected[reason, default: 0] += 1
        }
        _ = try await eventually("the shard to refuse \(cases.count) messages") {
            self.tock.node?.malformedCompletions == cases.count ? true : nil
        }
        for (reason, count) in expected {
            XCTAssertEqual(try tock.shardRejections(Subjects.doneFamily, reason), count, reason.rawValue)
        }
        try await assertDoneStreamDrains(js)
        let after = try await tock.job(id).json
        XCTAssertEqual(after, before, "a refused batch changed the job")
    }

    private func completion(of jobID: String, _ change: (inout Completion) -> Void = { _ in }) -> Completion {
        let now = SystemWallClock().nowNs()
        var completion = Completion(
            jobID: jobID, run: 1, shard: 0, outcome: .failed, httpStatus: 500, attempts: 1,
            startedAtNs: now, finishedAtNs: now, executorID: "batcher", error: "batched")
        change(&completion)
        return completion
    }

    private func publish(_ batch: CompletionBatch, count: String, on js: JetStream) async throws -> PubAck {
        try await js.publish(
            subject: Subjects.done(shard: 0), payload: batch.encoded(), msgID: nil,
            headers: [Subjects.completionCountHeader: count])
    }

    private func assertDoneStreamDrains(_ js: JetStream, file: StaticString = #filePath, line: UInt = #line)
        async throws
    {
        _ = try await eventually("the done stream to be empty", file: file, line: line) {
            try js.streamInfo(Subjects.doneStream).messages == 0 ? true : nil
        }
        let consumer = try js.consumerInfo(stream: Subjects.doneStream, consumer: Subjects.doneConsumer(shard: 0))
        XCTAssertEqual(consumer.numAckPending, 0, file: file, line: line)
        XCTAssertEqual(consumer.numRedelivered, 0, file: file, line: line)
    }
}
