import TockNATS
import XCTest

final class ReconnectTests: NATSTestCase {
    override var publishTimeout: Duration { .seconds(1) }

    func testPublishWhileServerDownFailsInBoundedTimeAndRecoversAfterRestart() async throws {
        try jetStream.ensureStream(StreamConfig(name: "EVENTS", subjects: ["events.>"]))
        _ = try await jetStream.publish(subject: "events.a", payload: [1], msgID: "before")

        server.stop()
        let noticed = await eventually { !self.connection.isConnected }
        XCTAssertTrue(noticed, "connection still reports connected after the server stopped")

        let start = ContinuousClock.now
        do {
            _ = try await jetStream.publish(subject: "events.a", payload: [2], msgID: "during")
            XCTFail("publish succeeded with the server down")
        } catch let error as NATSError {
            XCTAssertTrue(error.isTimeout || error.isConnectionProblem, "\(error)")
        }
        let elapsed = ContinuousClock.now - start
        XCTAssertLessThan(elapsed, .seconds(3), "publish took \(elapsed) to fail")

        try server.restart()
        let reconnected = await eventually(timeout: .seconds(10)) { self.connection.isConnected }
        XCTAssertTrue(reconnected, "did not reconnect after restart")

        // JetStream may need a moment after the listener is up; retry, bounded.
        var ack: PubAck?
        var lastError: (any Error)?
        let deadline = ContinuousClock.now + .seconds(10)
        while ack == nil, ContinuousClock.now < deadline {
            do {
                ack = try await jetStream.publish(subject: "events.a", payload: [3], msgID: "after")
            } catch {
                lastError = error
            }
        }
        let recovered = try XCTUnwrap(ack, "publish never succeeded after restart: \(String(describing: lastError))")
        XCTAssertEqual(recovered.stream, "EVENTS")
        XCTAssertFalse(recovered.duplicate)
        // The file store survived the restart, so "before" is still there.
        XCTAssertGreaterThanOrEqual(recovered.sequence, 2)
    }

    func testConnectToMissingServerThrows() throws {
        XCTAssertThrowsError(try NATSConnection.connect(url: "nats://127.0.0.1:1", timeout: .milliseconds(500))) {
            error in
            XCTAssertTrue((error as? NATSError)?.isConnectionProblem == true, "\(error)")
        }
    }

    func testCloseIsIdempotentAndFailsLaterCalls() async throws {
        try jetStream.ensureStream(StreamConfig(name: "EVENTS", subjects: ["events.>"]))
        connection.close()
        connection.close()
        XCTAssertFalse(connection.isConnected)
        XCTAssertThrowsError(try connection.jetStream())
        do {
            _ = try await jetStream.publish(subject: "events.a", payload: [1], msgID: nil)
            XCTFail("publish on a closed connection succeeded")
        } catch let error as NATSError {
            XCTAssertTrue(error.isConnectionProblem || error.isTimeout, "\(error)")
        }
    }

    func testPublishInFlightWhenConnectionClosesStillCompletes() async throws {
        try jetStream.ensureStream(StreamConfig(name: "EVENTS", subjects: ["events.>"]))
        _ = try await jetStream.publish(subject: "events.a", payload: [1], msgID: nil)
        // With the server gone no PubAck can arrive; closing the connection also silences
        // cnats' own publish timeout, leaving only the Swift backstop.
        server.stop()
        let jetStream = try XCTUnwrap(self.jetStream)
        let start = ContinuousClock.now
        let inFlight = Task { try await jetStream.publish(subject: "events.a", payload: [2], msgID: nil) }
        let handedToCNats = await eventually { jetStream.pendingPublishes == 1 }
        XCTAssertTrue(handedToCNats)
        connection.close()
        do {
            _ = try await inFlight.value
            XCTFail("publish succeeded on a closed connection")
        } catch let error as NATSError {
            XCTAssertTrue(error.isTimeout || error.isConnectionProblem, "\(error)")
        }
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(4))
    }

    func testPullSubscriptionKeepsWorkingAcrossRestart() async throws {
        let subscription = try makeWorkQueue()
        _ = try await jetStream.publish(subject: "jobs.a", payload: [1], msgID: "one")

        try server.restart()
        let reconnected = await eventually { self.connection.isConnected }
        XCTAssertTrue(reconnected)

        var fetched: [JetStreamMessage] = []
        let deadline = ContinuousClock.now + .seconds(10)
        while fetched.isEmpty, ContinuousClock.now < deadline {
            fetched = (try? await subscription.fetch(batch: 10, expires: .milliseconds(500))) ?? []
        }
        let message = try XCTUnwrap(fetched.first, "nothing fetched after restart")
        XCTAssertEqual(message.header("Nats-Msg-Id"), "one")
        try message.ack()
    }
}
