import TockCore
import TockModel
import TockNATS
import TockWire
import XCTest

@testable import TockShard

/// Which published runs reconciliation looks up, and what it makes of the stream's answer: no clock, no broker.
final class LostRunPolicyTests: XCTestCase {
    let second: Int64 = 1_000_000_000

    func row(
        publishedAt: Int64 = 0, attempts: UInt32 = 5, timeoutMs: UInt32 = 30_000,
        priority: Priority = .normal
    ) -> PublishedRunRow {
        PublishedRunRow(
            jobID: "j1", run: 3, recurring: false, priority: priority, streamSequence: 42,
            publishedAtNs: publishedAt, dueAtNs: 0, maxAttempts: attempts, timeoutMs: timeoutMs)
    }

    func testTheBoundAddsEachAttemptsTimeoutAndAckWaitAndTheBackOffBetweenThem() {
        let policy = LostRunPolicy(minimumAgeNs: 60 * second)
        // 5 × (60 s ack wait + 30 s timeout) + 1 + 2 + 4 + 8 s of back-off.
        XCTAssertEqual(policy.inFlightBoundNs(priority: .normal, maxAttempts: 5, timeoutMs: 30_000), 465 * second)
        XCTAssertEqual(policy.inFlightBoundNs(priority: .normal, maxAttempts: 1, timeoutMs: 1000), 61 * second)
        // The last back-off step repeats: 10 attempts wait 1+2+4+8+16+32+60+60+60 s between them.
        XCTAssertEqual(
            policy.inFlightBoundNs(priority: .normal, maxAttempts: 10, timeoutMs: 1000),
            10 * 61 * second + 243 * second)
    }

    func testTheConsumersMaxDeliverCapsTheAttemptsAndTheMinimumWins() {
        var queues = QueueConfig()
        queues.priorities[.high]?.consumer = .init(ackWaitNs: second, maxDeliver: 2)
        queues.priorities[.high]?.backoffNs = [second / 2]
        let policy = LostRunPolicy(minimumAgeNs: 10 * second, queues: queues)
        XCTAssertEqual(
            policy.inFlightBoundNs(priority: .high, maxAttempts: 100, timeoutMs: 1000),
            2 * 2 * second + second / 2)
        XCTAssertEqual(policy.thresholdNs(priority: .high, maxAttempts: 100, timeoutMs: 1000), 10 * second)
        XCTAssertFalse(policy.isOverdue(row(attempts: 100, timeoutMs: 1000, priority: .high), nowNs: 10 * second - 1))
        XCTAssertTrue(policy.isOverdue(row(attempts: 100, timeoutMs: 1000, priority: .high), nowNs: 10 * second))
    }

    func testHugeValuesSaturateInsteadOfTrapping() {
        var queues = QueueConfig()
        queues.priorities[.low]?.consumer.ackWaitNs = .max / 2
        let policy = LostRunPolicy(minimumAgeNs: -5, queues: queues)
        XCTAssertEqual(policy.minimumAgeNs, 0)
        XCTAssertEqual(policy.inFlightBoundNs(priority: .low, maxAttempts: .max, timeoutMs: .max), .max)
        XCTAssertFalse(policy.isOverdue(row(publishedAt: 0, priority: .low), nowNs: .max - 1))
    }

    func testARunIsInTheStreamOnlyWhenItsOwnMessageIsAtItsSequence() {
        let run = row()
        func stored(_ id: String?) -> StoredMessage {
            StoredMessage(subject: "tock.jobs.normal.0", messageID: id, payload: [])
        }
        XCTAssertEqual(LostRunPolicy.verdict(stored("j1/3"), for: run), .inStream)
        XCTAssertEqual(LostRunPolicy.verdict(stored("j1/3/r17"), for: run), .inStream, "a republished message")
        XCTAssertEqual(LostRunPolicy.verdict(nil, for: run), .gone)
        XCTAssertEqual(LostRunPolicy.verdict(stored("j9/1"), for: run), .gone, "a recreated stream reused the sequence")
        XCTAssertEqual(LostRunPolicy.verdict(stored("j1/30"), for: run), .gone, "another run of the job")
        XCTAssertEqual(LostRunPolicy.verdict(stored("j1/3/done"), for: run), .gone)
        XCTAssertEqual(LostRunPolicy.verdict(stored(nil), for: run), .gone)
    }

    func testCompletionsSettleOnceNoneWaitsOrTheAckFloorPassedTheLastOneSeen() {
        XCTAssertTrue(LostRunPolicy.completionsSettled(doneLastSequence: 90, pending: 0, ackPending: 0, ackFloor: 12))
        XCTAssertFalse(LostRunPolicy.completionsSettled(doneLastSequence: 90, pending: 1, ackPending: 0, ackFloor: 12))
        XCTAssertFalse(LostRunPolicy.completionsSettled(doneLastSequence: 90, pending: 0, ackPending: 3, ackFloor: 89))
        XCTAssertTrue(LostRunPolicy.completionsSettled(doneLastSequence: 90, pending: 4, ackPending: 3, ackFloor: 90))
    }

    func testARepublishHasAnIDOfItsOwnPerLostSequence() {
        let first = Subjects.runMessageID(jobID: "j1", run: 3)
        let again = Subjects.republishMessageID(jobID: "j1", run: 3, lostSequence: 42)
        XCTAssertNotEqual(first, again)
        XCTAssertEqual(again, Subjects.republishMessageID(jobID: "j1", run: 3, lostSequence: 42))
        XCTAssertNotEqual(again, Subjects.republishMessageID(jobID: "j1", run: 3, lostSequence: 43))
        XCTAssertTrue(Subjects.isMessageID(again, ofJob: "j1", run: 3))
    }
}
