import TockNATS
import XCTest

final class ManagementTests: NATSTestCase {
    func testEnsureStreamCreatesThenUpdatesIdempotently() throws {
        var config = StreamConfig(name: "JOBS", subjects: ["jobs.>"], retention: .workQueue)
        XCTAssertEqual(try jetStream.ensureStream(config), .created)
        XCTAssertEqual(try jetStream.ensureStream(config), .updated)

        config.maxMessages = 1_000
        config.duplicateWindow = .seconds(30)
        XCTAssertEqual(try jetStream.ensureStream(config), .updated)
        let state = try jetStream.streamInfo("JOBS")
        XCTAssertEqual(state.messages, 0)
        XCTAssertEqual(state.consumerCount, 0)
    }

    func testEnsureConsumerCreatesThenUpdatesIdempotently() throws {
        try jetStream.ensureStream(StreamConfig(name: "JOBS", subjects: ["jobs.>"], retention: .workQueue))
        var config = ConsumerConfig(durable: "workers", filterSubject: "jobs.>")
        XCTAssertEqual(try jetStream.ensureConsumer(stream: "JOBS", config), .created)
        XCTAssertEqual(try jetStream.ensureConsumer(stream: "JOBS", config), .updated)

        config.ackWait = .seconds(10)
        config.maxDeliver = 5
        config.backoff = [.seconds(1), .seconds(5)]
        XCTAssertEqual(try jetStream.ensureConsumer(stream: "JOBS", config), .updated)

        let state = try jetStream.consumerInfo(stream: "JOBS", consumer: "workers")
        XCTAssertEqual(state.numPending, 0)
        XCTAssertEqual(state.numAckPending, 0)
        XCTAssertEqual(try jetStream.streamInfo("JOBS").consumerCount, 1)
    }

    func testMissingStreamAndConsumerAreNotFound() throws {
        XCTAssertThrowsError(try jetStream.streamInfo("NOPE")) { error in
            XCTAssertTrue((error as? NATSError)?.isNotFound == true, "\(error)")
        }
        try jetStream.ensureStream(StreamConfig(name: "JOBS", subjects: ["jobs.>"]))
        XCTAssertThrowsError(try jetStream.consumerInfo(stream: "JOBS", consumer: "nobody")) { error in
            XCTAssertTrue((error as? NATSError)?.isNotFound == true, "\(error)")
        }
        // A consumer on a missing stream is an error, never silently created elsewhere.
        XCTAssertThrowsError(
            try jetStream.ensureConsumer(
                stream: "NOPE", ConsumerConfig(durable: "w", filterSubject: "nope.>")))
    }

    func testDeleteStream() throws {
        try jetStream.ensureStream(StreamConfig(name: "TMP", subjects: ["tmp.>"], storage: .memory))
        try jetStream.deleteStream("TMP")
        XCTAssertThrowsError(try jetStream.streamInfo("TMP")) { error in
            XCTAssertTrue((error as? NATSError)?.isNotFound == true, "\(error)")
        }
    }

    func testPullSubscribeRequiresExistingConsumer() throws {
        try jetStream.ensureStream(StreamConfig(name: "JOBS", subjects: ["jobs.>"], retention: .workQueue))
        XCTAssertThrowsError(try jetStream.pullSubscribe(stream: "JOBS", durable: "ghost", filter: "jobs.>"))
    }
}
