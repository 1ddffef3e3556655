import TockCore
import TockModel
import TockNATS
import TockTestSupport
import TockWire
import XCTest

@testable import TockShard

/// The leader's completion consumer against a real nats-server, with a log that fails on demand: a completion is
/// acked only once its "done" commit succeeded, and one whose commit failed is naked and comes back at once
/// rather than after the consumer's 30 s ack wait.
final class CompletionConsumerTests: XCTestCase {
    var duties: LeaderDutiesFixture!

    override func setUp() async throws {
        duties = try LeaderDutiesFixture("tock-completions")
    }

    override func tearDown() async throws {
        await duties?.shutdown()
    }

    func testACompletionWhoseDoneCommitFailedIsRedeliveredCommittedAndOnlyThenAcked() async throws {
        let now = SystemWallClock().nowNs()
        let completion = Completion(
            jobID: JobID.make(shard: 0, nowNs: now), run: 1, shard: 0, outcome: .succeeded,
            httpStatus: 200, attempts: 1, startedAtNs: now, finishedAtNs: now,
            executorID: "test", error: "")
        _ = try await duties.js.publish(
            subject: Subjects.done(shard: 0), payload: completion.encoded(),
            msgID: Subjects.completionMessageID(jobID: completion.jobID, run: 1))
        duties.log.fail(next: 1, \.isMarkDone)
        let consumer = CompletionConsumer(
            shard: 0, log: duties.log, link: duties.link, clock: SystemWallClock(),
            logger: duties.quiet, metrics: ShardMetrics(shard: 0))
        duties.run { await consumer.run() }

        let proposals = try await eventually(within: .seconds(5), "the completion proposed again after its nak") {
            let proposals = duties.log.proposed(\.isMarkDone)
            return proposals.count >= 2 ? proposals : nil
        }
        XCTAssertEqual(proposals.map(\.committed), [false, true])
        for proposal in proposals {
            guard case .markDone(let completions, _) = proposal.command else { return XCTFail("\(proposal)") }
            XCTAssertEqual(completions, [completion])
        }
        let (_, state) = try await eventually(within: .seconds(3), "the committed completion acked") {
            let (done, state) = try await duties.js.state(
                stream: Subjects.doneStream,
                consumer: Subjects.doneConsumer(shard: 0))
            return state.ackFloorStreamSequence == done.lastSequence && state.numAckPending == 0 ? (done, state) : nil
        }
        XCTAssertEqual(state.numPending, 0)
        XCTAssertEqual(duties.log.proposed(\.isMarkDone).count, 2, "acked: not delivered a third time")
    }
}
