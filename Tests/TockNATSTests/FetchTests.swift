import TockNATS
import XCTest

final class FetchTests: NATSTestCase {
    func testFetchInBatchesAndAckDrainsWorkQueue() async throws {
        let subscription = try makeWorkQueue()
        let jetStream = try XCTUnwrap(self.jetStream)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<500 {
                group.addTask {
                    _ = try await jetStream.publish(subject: "jobs.\(index)", payload: [UInt8(index % 256)], msgID: nil)
                }
            }
            try await group.waitForAll()
        }
        XCTAssertEqual(try jetStream.streamInfo("JOBS").messages, 500)

        var streamSequences = Set<UInt64>()
        for _ in 0..<50 where streamSequences.count < 500 {
            let batch = try await subscription.fetch(batch: 64, expires: .seconds(1))
            XCTAssertLessThanOrEqual(batch.count, 64)
            for message in batch {
                streamSequences.insert(message.metadata.streamSequence)
                try message.ack()
            }
        }
        XCTAssertEqual(streamSequences, Set(1...500))

        // Acks are fire-and-forget: the server removes the messages shortly after.
        let drained = try await eventually { try jetStream.streamInfo("JOBS").messages == 0 }
        XCTAssertTrue(drained, "stream still holds messages after every ack")
        let consumer = try jetStream.consumerInfo(stream: "JOBS", consumer: "workers")
        XCTAssertEqual(consumer.numPending, 0)
        XCTAssertEqual(consumer.numAckPending, 0)
    }

    func testFetchOnEmptyConsumerReturnsEmptyAfterExpires() async throws {
        let subscription = try makeWorkQueue()
        let start = ContinuousClock.now
        let messages = try await subscription.fetch(batch: 10, expires: .milliseconds(500))
        let elapsed = ContinuousClock.now - start
        XCTAssertEqual(messages.count, 0)
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(400))
        XCTAssertLessThan(elapsed, .seconds(3))
    }

    /// A fetch must not hold the first message until its batch is full: at a moderate rate that wait was the
    /// largest part of a run's latency.
    func testFetchReturnsAsSoonAsAMessageArrivesNotWhenTheBatchIsFull() async throws {
        let subscription = try makeWorkQueue()
        let jetStream = try XCTUnwrap(self.jetStream)
        let start = ContinuousClock.now
        async let fetched = subscription.fetch(batch: 32, expires: .seconds(5))
        try await Task.sleep(for: .milliseconds(200))
        _ = try await jetStream.publish(subject: "jobs.one", payload: [1], msgID: nil)
        let messages = try await fetched
        let elapsed = ContinuousClock.now - start
        XCTAssertEqual(messages.map(\.payload), [[1]])
        XCTAssertLessThan(elapsed, .seconds(2), "the fetch waited \(elapsed) for a fuller batch")
        try messages.first?.ack()
    }

    func testNakWithDelayRedeliversNotBeforeTheDelay() async throws {
        let subscription = try makeWorkQueue()
        _ = try await jetStream.publish(subject: "jobs.retry", payload: [7], msgID: nil)

        let first = try await subscription.fetch(batch: 1, expires: .seconds(2))
        XCTAssertEqual(first.first?.metadata.numDelivered, 1)
        try XCTUnwrap(first.first).nak(delay: .milliseconds(1500))
        let nakedAt = ContinuousClock.now

        let early = try await subscription.fetch(batch: 1, expires: .milliseconds(500))
        XCTAssertEqual(early.count, 0, "redelivered before the nak delay")

        var redelivered: [JetStreamMessage] = []
        for _ in 0..<5 where redelivered.isEmpty {
            redelivered = try await subscription.fetch(batch: 1, expires: .seconds(1))
        }
        let elapsed = ContinuousClock.now - nakedAt
        let message = try XCTUnwrap(redelivered.first, "never redelivered")
        XCTAssertEqual(message.metadata.numDelivered, 2)
        XCTAssertEqual(message.payload, [7])
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(1400), "redelivered after \(elapsed)")
        try message.ack()
    }

    func testTermStopsRedelivery() async throws {
        let subscription = try makeWorkQueue(
            consumer: ConsumerConfig(durable: "workers", filterSubject: "jobs.>", ackWait: .milliseconds(500)))
        _ = try await jetStream.publish(subject: "jobs.poison", payload: [0], msgID: nil)

        // Without an ack the message comes back after ackWait...
        let first = try await subscription.fetch(batch: 1, expires: .seconds(2))
        XCTAssertEqual(first.count, 1)
        var second: [JetStreamMessage] = []
        for _ in 0..<5 where second.isEmpty {
            second = try await subscription.fetch(batch: 1, expires: .seconds(1))
        }
        let message = try XCTUnwrap(second.first, "not redelivered after ackWait")
        XCTAssertEqual(message.metadata.numDelivered, 2)

        // ...and after term it does not, even well past ackWait.
        try message.term()
        let after = try await subscription.fetch(batch: 1, expires: .seconds(2))
        XCTAssertEqual(after.count, 0, "redelivered after term")
        let consumer = try jetStream.consumerInfo(stream: "JOBS", consumer: "workers")
        XCTAssertEqual(consumer.numAckPending, 0)
    }

    func testInProgressExtendsAckWait() async throws {
        let subscription = try makeWorkQueue(
            consumer: ConsumerConfig(durable: "workers", filterSubject: "jobs.>", ackWait: .milliseconds(800)))
        _ = try await jetStream.publish(subject: "jobs.slow", payload: [1], msgID: nil)
        let fetched = try await subscription.fetch(batch: 1, expires: .seconds(2))
        let message = try XCTUnwrap(fetched.first)

        // Each fetch below waits 500 ms; touching the message between them keeps it ours.
        for _ in 0..<3 {
            try message.inProgress()
            let stolen = try await subscription.fetch(batch: 1, expires: .milliseconds(500))
            XCTAssertEqual(
                stolen.count, 0,
                "redelivered despite inProgress \(stolen.map { ($0.subject, $0.payload, $0.metadata.numDelivered) })")
        }
        try message.ack()
    }

    func testAcksAfterCloseReachTheServer() async throws {
        let subscription = try makeWorkQueue(
            consumer: ConsumerConfig(durable: "workers", filterSubject: "jobs.>", ackWait: .seconds(30)))
        let jetStream = try XCTUnwrap(self.jetStream)
        for index in 0..<3 { _ = try await jetStream.publish(subject: "jobs.\(index)", payload: [1], msgID: nil) }
        var messages: [JetStreamMessage] = []
        for _ in 0..<5 where messages.count < 3 {
            messages += try await subscription.fetch(batch: 3 - messages.count, expires: .seconds(1))
        }
        XCTAssertEqual(messages.count, 3)
        subscription.close()
        try messages[0].ack()
        try messages[1].inProgress()
        try messages[2].term()
        let settled = try await eventually {
            let consumer = try jetStream.consumerInfo(stream: "JOBS", consumer: "workers")
            return consumer.numAckPending == 1
        }
        let consumer = try jetStream.consumerInfo(stream: "JOBS", consumer: "workers")
        XCTAssertTrue(settled, "ack pending \(consumer.numAckPending) after acking and terminating 2 of 3 after close")
    }

    func testCloseEndsFetchEarlyAndLaterFetchesThrow() async throws {
        let subscription = try makeWorkQueue()
        let start = ContinuousClock.now
        let pending = Task { try await subscription.fetch(batch: 1, expires: .seconds(10)) }
        subscription.close()
        subscription.close()
        _ = try? await pending.value
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(5))

        do {
            _ = try await subscription.fetch(batch: 1, expires: .seconds(1))
            XCTFail("fetch after close succeeded")
        } catch is NATSError {}
        // The durable consumer survives the subscription.
        XCTAssertNoThrow(try jetStream.consumerInfo(stream: "JOBS", consumer: "workers"))
    }

    func testMessagesStayAckableAfterSubscriptionIsGone() async throws {
        var subscription: PullSubscription? = try makeWorkQueue()
        _ = try await jetStream.publish(subject: "jobs.late", payload: [1], msgID: nil)
        let messages = try await subscription!.fetch(batch: 1, expires: .seconds(2))
        subscription = nil
        try XCTUnwrap(messages.first).ack()
        let drained = try await eventually { try self.jetStream.streamInfo("JOBS").messages == 0 }
        XCTAssertTrue(drained)
    }
}
