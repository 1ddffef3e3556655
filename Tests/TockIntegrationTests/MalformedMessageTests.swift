import TockTestSupport
import TockCore
import TockNATS
import TockWire
import XCTest

/// Garbage on a Tock subject is logged, terminated and counted; the pipeline goes on.
final class MalformedMessageTests: XCTestCase {
    var tock: TockHarness!

    override func setUp() async throws {
        tock = try await TockHarness.start()
    }

    override func tearDown() async throws {
        await tock?.shutdown()
    }

    func testGarbageJobAndCompletionMessagesAreTerminatedAndCounted() async throws {
        let connection = try NATSConnection.connect(url: tock.nats.url)
        defer { connection.close() }
        let js = try connection.jetStream()
        _ = try await js.publish(subject: Subjects.jobs(priority: .normal, shard: 0), payload: [0xFF, 0x01, 0x02],
                                 msgID: nil)
        _ = try await js.publish(subject: Subjects.done(shard: 0), payload: Array("not protobuf".utf8), msgID: nil)

        let executor = try XCTUnwrap(tock.executor)
        let node = try XCTUnwrap(tock.node)
        _ = try await eventually("the executor to count the bad job message") { executor.stats.malformed == 1 ? true : nil }
        _ = try await eventually("the shard to count the bad completion") { node.malformedCompletions == 1 ? true : nil }
        // Terminated, not redelivered: both work-queue streams drain.
        _ = try await eventually("both streams to be empty") {
            try js.streamInfo(Subjects.jobsStream(priority: .normal)).messages == 0
                && js.streamInfo(Subjects.doneStream).messages == 0
                ? true : nil
        }

        let created = try await tock.submit(#"{"url": "\#(tock.sink.baseURL)/ok"}"#)
        let id = try XCTUnwrap(created["id"]?.string)
        _ = try await tock.waitForState(id, "succeeded")
        XCTAssertEqual(executor.stats.malformed, 1)
    }
}
