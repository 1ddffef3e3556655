import TockNATS
import XCTest

final class PublishTests: NATSTestCase {
    func testThousandConcurrentPublishesGetDistinctIncreasingSequences() async throws {
        try jetStream.ensureStream(StreamConfig(name: "EVENTS", subjects: ["events.>"]))
        let jetStream = try XCTUnwrap(self.jetStream)

        let acks = try await withThrowingTaskGroup(of: PubAck.self) { group in
            for index in 0..<1_000 {
                group.addTask {
                    try await jetStream.publish(
                        subject: "events.\(index % 7)", payload: Array("event \(index)".utf8), msgID: "event-\(index)")
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }

        XCTAssertEqual(acks.count, 1_000)
        XCTAssertTrue(acks.allSatisfy { $0.stream == "EVENTS" && !$0.duplicate })
        XCTAssertEqual(acks.map(\.sequence).sorted(), Array(1...1_000))
        XCTAssertEqual(try jetStream.streamInfo("EVENTS").messages, 1_000)
    }

    func testSequencesIncreaseInPublishOrder() async throws {
        try jetStream.ensureStream(StreamConfig(name: "EVENTS", subjects: ["events.>"]))
        var previous: UInt64 = 0
        for index in 0..<20 {
            let ack = try await jetStream.publish(subject: "events.a", payload: [UInt8(index)], msgID: nil)
            XCTAssertGreaterThan(ack.sequence, previous)
            previous = ack.sequence
        }
    }

    func testRepublishingSameMsgIDIsDuplicate() async throws {
        try jetStream.ensureStream(StreamConfig(name: "EVENTS", subjects: ["events.>"]))
        let first = try await jetStream.publish(subject: "events.a", payload: [1], msgID: "job-42")
        let second = try await jetStream.publish(subject: "events.a", payload: [1], msgID: "job-42")
        let other = try await jetStream.publish(subject: "events.a", payload: [1], msgID: "job-43")

        XCTAssertFalse(first.duplicate)
        XCTAssertTrue(second.duplicate)
        XCTAssertEqual(second.sequence, first.sequence)
        XCTAssertFalse(other.duplicate)
        XCTAssertEqual(try jetStream.streamInfo("EVENTS").messages, 2)
    }

    func testPublishToSubjectWithoutStreamFails() async throws {
        do {
            _ = try await jetStream.publish(subject: "nobody.listens", payload: [1], msgID: nil)
            XCTFail("publish without a stream succeeded")
        } catch let error as NATSError {
            // cnats reports the missing responder (503) rather than waiting for the timeout.
            XCTAssertTrue(error.isNoResponders, "\(error)")
        }
    }

    func testHeadersAndPayloadRoundTrip() async throws {
        let subscription = try makeWorkQueue()
        let payload: [UInt8] = [0, 1, 2, 255]
        _ = try await jetStream.publish(
            subject: "jobs.run", payload: payload, msgID: "abc", headers: ["Tock-Kind": "webhook"])

        let messages = try await subscription.fetch(batch: 10, expires: .seconds(2))
        let message = try XCTUnwrap(messages.first)
        XCTAssertEqual(messages.count, 1)
        XCTAssertEqual(message.subject, "jobs.run")
        XCTAssertEqual(message.payload, payload)
        XCTAssertEqual(message.header("Tock-Kind"), "webhook")
        XCTAssertEqual(message.header("tock-kind"), "webhook")
        XCTAssertEqual(message.header("Nats-Msg-Id"), "abc")
        XCTAssertNil(message.header("Missing"))
        XCTAssertEqual(message.metadata.streamSequence, 1)
        XCTAssertEqual(message.metadata.numDelivered, 1)
        XCTAssertGreaterThan(message.metadata.timestampNs, 0)
        try message.ack()
    }

    func testMorePublishersThanPendingLimitAllComplete() async throws {
        try jetStream.ensureStream(StreamConfig(name: "EVENTS", subjects: ["events.>"], storage: .memory))
        let narrow = try connection.jetStream(publishTimeout: .seconds(5), maxPendingPublishes: 4)
        let sequences = try await withThrowingTaskGroup(of: UInt64.self) { group in
            for index in 0..<300 {
                group.addTask {
                    try await narrow.publish(subject: "events.n", payload: [UInt8(index % 256)], msgID: nil).sequence
                }
            }
            return try await group.reduce(into: Set<UInt64>()) { $0.insert($1) }
        }
        XCTAssertEqual(sequences, Set(1...300))
    }
}
