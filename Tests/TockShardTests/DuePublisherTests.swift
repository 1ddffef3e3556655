import TockCore
import TockModel
import TockNATS
import TockTestSupport
import TockWire
import XCTest

@testable import TockShard

/// The due-timer's actor against a real nats-server and SQLite file, with a log that fails on demand: what
/// `DueTimerTests` decides in numbers is carried out — a run whose "published" commit failed goes out again and
/// is committed (a due run, and a lost run reconciliation published again), failed publishes and commits back off
/// and a publish resets the back-off, and overlap `wait` holds a recurring job's run until the previous run is
/// done.
final class DuePublisherTests: XCTestCase {
    var duties: LeaderDutiesFixture!

    override func setUp() async throws {
        duties = try LeaderDutiesFixture("tock-due-publisher")
    }

    override func tearDown() async throws {
        await duties?.shutdown()
    }

    var now: Int64 { SystemWallClock().nowNs() }

    func testARunWhoseCommitFailedIsPublishedAgainAndCommitted() async throws {
        duties.log.fail(next: 2, \.isMarkPublished)
        let id = try await duties.create(dueAtNs: now)
        _ = duties.startPublisher()
        _ = try await eventually(within: .seconds(5), "the run committed as published") {
            try await duties.job(id)?.state == .published ? true : nil
        }
        let commits = duties.log.proposed(\.isMarkPublished)
        XCTAssertEqual(
            commits.map(\.committed), [false, false, true],
            "published and committed again after each failed commit")
        if commits.count == 3 {
            XCTAssertGreaterThanOrEqual(
                commits[2].at - commits[1].at, .milliseconds(450),
                "the back-off grows across failed commits: 250 ms, then 500 ms")
        }
        let stored = try await duties.publishedMessageIDs()
        XCTAssertEqual(stored, ["\(id)/1"], "each time under the run's own message id: JetStream kept one")
    }

    func testALostRunWhoseRepublishCommitFailedIsPublishedAgainUnderTheSameIDAndCommitted() async throws {
        // A run counts as lost 300 ms after its publish (one attempt: 100 ms timeout + 200 ms ack wait), and a
        // reconciliation pass runs every 250 ms.
        var queues = QueueConfig()
        queues.priorities[.normal]?.consumer.ackWaitNs = 200_000_000
        let settings = DueTimer.Settings(
            reconcileIntervalNs: 250_000_000,
            lostRuns: LostRunPolicy(minimumAgeNs: 0, queues: queues))
        let id = try await duties.create(dueAtNs: now, timeoutMs: 100)
        let stream = Subjects.jobsStream(priority: .normal)
        duties.log.fail(next: 1) { command in
            guard case .markPublished(let runs) = command else { return false }
            return runs.contains { $0.replacesSequence != nil }
        }
        _ = duties.startPublisher(settings: settings)
        _ = try await eventually(within: .seconds(5), "the run published") {
            try await duties.job(id)?.state == .published ? true : nil
        }
        let lost = try duties.js.streamInfo(stream).lastSequence
        try duties.js.purgeStream(stream)

        let republished = try await eventually(within: .seconds(5), "the lost run published again and committed") {
            let commits = duties.log.proposed(\.isMarkPublished).dropFirst()
            return commits.contains(where: \.committed) ? Array(commits) : nil
        }
        XCTAssertEqual(republished.map(\.committed), [false, true], "a pass after the failed commit found it again")
        let sequences = republished.map { proposal -> [UInt64?] in
            guard case .markPublished(let runs) = proposal.command else { return [] }
            return runs.map(\.replacesSequence)
        }
        XCTAssertEqual(sequences, [[lost], [lost]], "both times as the run lost at its first sequence")
        let stored = try await duties.publishedMessageIDs()
        XCTAssertEqual(
            stored, [Subjects.republishMessageID(jobID: id, run: 1, lostSequence: lost)],
            "published again under the same id: JetStream kept one message")
    }

    func testPublishFailuresBackOffAndAPublishResetsTheBackOff() async throws {
        // Without its stream a publish fails at once (no responders), so the retries' spacing is the back-off's.
        let stream = Subjects.jobsStream(priority: .normal)
        try duties.js.deleteStream(stream)
        let captured = CapturedLog()
        _ = duties.startPublisher(logger: captured.logger)
        let first = try await duties.create(dueAtNs: now)
        let failures = try await eventually(within: .seconds(5), "four failed publishes") {
            let failed = captured.entries("publish failed; will retry", "job", first)
            return failed.count >= 4 ? failed : nil
        }
        let gaps = zip(failures, failures.dropFirst()).map { $1.at - $0.at }
        for (gap, backOff) in zip(gaps, [250, 500, 1000].map { Duration.milliseconds($0) }) {
            XCTAssertGreaterThanOrEqual(gap, backOff * 0.9, "retried before its back-off: \(gaps)")
            XCTAssertLessThan(gap, backOff + .milliseconds(750), "retried long after its back-off: \(gaps)")
        }

        _ = try JetStreamSetup.apply(QueueConfig(), to: duties.js)
        _ = try await eventually(within: .seconds(5), "the run published once its stream is back") {
            try await duties.job(first)?.state == .published ? true : nil
        }
        try duties.js.deleteStream(stream)
        let second = try await duties.create(dueAtNs: now)
        let again = try await eventually(within: .seconds(5), "two failed publishes of the next run") {
            let failed = captured.entries("publish failed; will retry", "job", second)
            return failed.count >= 2 ? failed : nil
        }
        XCTAssertLessThan(
            again[1].at - again[0].at, .milliseconds(1000),
            "the publish in between reset the back-off to 250 ms (it stood at 4 s)")
    }

    func testOverlapWaitHoldsARecurringRunUntilThePreviousRunIsDone() async throws {
        let start = now
        let recurring = try await duties.create(
            dueAtNs: start,
            schedule: Schedule(cron: "@every 1s", overlap: .wait))
        // Due after run 2 has come due and been looked at again: rounds go out in due order, one at a time.
        let marker = try await duties.create(dueAtNs: start + 2_500_000_000)
        _ = duties.startPublisher()
        let stored = try await eventually(within: .seconds(6), "the one-time job due later published") {
            let ids = try await duties.publishedMessageIDs()
            return ids.contains("\(marker)/1") ? ids : nil
        }
        XCTAssertEqual(
            stored.filter { $0.hasPrefix(recurring) }, ["\(recurring)/1"],
            "run 2 came due while run 1 was out, and waited")

        let finished = now
        _ = try await duties.log.propose(
            .markDone(
                [
                    Completion(
                        jobID: recurring, run: 1, shard: 0, outcome: .succeeded, httpStatus: 200, attempts: 1,
                        startedAtNs: finished, finishedAtNs: finished, executorID: "test", error: "")
                ], atNs: finished))
        let after = try await eventually(within: .seconds(3), "run 2 published once run 1 is done") {
            let ids = try await duties.publishedMessageIDs().filter { $0.hasPrefix(recurring) }
            return ids.count >= 2 ? ids : nil
        }
        XCTAssertEqual(after, ["\(recurring)/1", "\(recurring)/2"])
    }
}
