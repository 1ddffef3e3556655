import Synchronization
import TockCore
import TockModel
import TockNATS
import TockShard
import TockTestSupport
import TockWire
import XCTest

@testable import TockExecutor

/// The executor's failure paths against a real nats-server, with no shard (`LoneExecutors`): whatever goes wrong
/// after a webhook call, the run's message is never acked away unreported; it comes back (nak'd, or after its ack
/// wait) until its outcome is stored once in TOCK_DONE, and after that final outcome JetStream holds nothing of it.
final class ExecutorFailurePathTests: XCTestCase {
    var tock: TockHarness!
    var lone: LoneExecutors!

    override func setUp() async throws {
        tock = try await TockHarness.start(shard: false, executor: false)
        lone = try LoneExecutors(tock)
    }

    override func tearDown() async throws {
        await lone?.stopAll()
        await tock?.shutdown()
    }

    func testCompletionStreamMissingNaksTheRunUntilItsOutcomeCanBeStored() async throws {
        try lone.js.deleteStream(Subjects.doneStream)
        lone.start("exec-a")
        let run = try await lone.publish("ok", maxAttempts: 5)
        // The webhook succeeded but its completion has nowhere to go: the run must come back, not be acked away.
        _ = try await eventually(
            "the run redelivered after a success it could not report; calls \(lone.attemptsCalled(run))"
        ) {
            lone.attemptsCalled(run).contains("2") ? true : nil
        }
        let held = try await RunLeftovers.read(jobID: run.jobID, run: run.run, priority: .normal, from: lone.js)
        XCTAssertEqual(held.storedSequences.count, 1, "the message of a run whose outcome is not stored: \(held)")

        try JetStreamSetup.apply(QueueConfig(), to: lone.js)
        let completion = try await lone.completion(of: run)
        XCTAssertEqual(completion.outcome, .succeeded)
        XCTAssertGreaterThanOrEqual(completion.attempts, 2)
        try await lone.assertNothingLeft(of: run)
        let stored = try await lone.completions(of: run)
        XCTAssertEqual(stored.count, 1)
    }

    func testBrokerGoneWhenTheCallEndsLosesNothingAndStoresOneCompletion() async throws {
        let log = CapturedLog()
        lone.start("exec-a", logger: log.logger)
        let run = try await lone.publish("slow/300")
        _ = try await eventually("the webhook called") { lone.attemptsCalled(run).isEmpty ? nil : true }
        tock.nats.crash()
        // Away until a publish of the completion has failed for want of its PubAck; the executor publishes it again
        // (its earlier tries wait in the client's reconnect buffer), so it reaches the stream more than once.
        _ = try await eventually("a completion publish to fail while the broker is away") {
            log.entries("cannot publish completions", "job", run.jobID).isEmpty ? nil : true
        }
        try tock.nats.restart()

        let completion = try await eventually("a completion of \(run.jobID) once the broker is back") {
            try? await lone.completions(of: run).first
        }
        XCTAssertEqual(completion.outcome, .succeeded)
        try await lone.assertNothingLeft(of: run)
        let stored = try await lone.completions(of: run)
        XCTAssertEqual(stored.count, 1, "each try of the report was stored")
    }

    func testFailedAckLetsTheRunComeBackAfterItsAckWaitAndEndOnce() async throws {
        // A short ack wait, so the run whose ack was lost comes back within the test.
        let queues = try QueueConfig.parse(yaml: "priorities: {normal: {ack_wait: 2s, backoff: [200ms]}}")
        try JetStreamSetup.apply(queues, to: lone.js)
        let settled = Mutex(0)
        lone.start("exec-a", queues: queues) { message, outcome in
            let first = settled.withLock {
                $0 += 1
                return $0 == 1
            }
            if first { throw AckLost() }
            try Executor.settleFinishedRun(message, outcome)
        }
        let run = try await lone.publish("ok")
        let completion = try await lone.completion(of: run)
        XCTAssertEqual(completion.outcome, .succeeded)
        XCTAssertEqual(completion.attempts, 1)
        // Back after its ack wait: called and reported again (the repeated call the ack would have spared), acked.
        _ = try await eventually("the run to come back after its ack was lost; calls \(lone.attemptsCalled(run))") {
            lone.attemptsCalled(run).count >= 2 ? true : nil
        }
        try await lone.assertNothingLeft(of: run)
        XCTAssertEqual(settled.withLock { $0 }, 2)
        XCTAssertEqual(lone.attemptsCalled(run), ["1", "2"])
        // The repeated report is stored after the first (a message's id is its batch's, not the run's); the shard
        // commits the first and the second changes nothing (invariant 4).
        let stored = try await lone.completions(of: run)
        XCTAssertEqual(stored.first, completion, "the repeated report replaced the first")
        XCTAssertEqual(stored.map(\.attempts), [1, 2])
    }

    func testDrainGraceShorterThanTheCallHandsTheRunToAnotherExecutor() async throws {
        let drained = lone.start("exec-drained")
        let run = try await lone.publish("slow/1500")
        _ = try await eventually("the webhook called") { lone.attemptsCalled(run).isEmpty ? nil : true }
        drained.drain(grace: .milliseconds(200))
        let exited = await lone.exited("exec-drained", within: .seconds(5))
        XCTAssertTrue(exited, "the drained executor did not stop after its grace")
        let reported = try await lone.completions(of: run)
        XCTAssertEqual(reported, [], "the interrupted call was reported")
        let held = try await RunLeftovers.read(jobID: run.jobID, run: run.run, priority: .normal, from: lone.js)
        XCTAssertEqual(held.storedSequences.count, 1, "the interrupted run's message: \(held)")

        lone.start("exec-other")
        // The ack wait is 60 s: only a nak brings the run back this soon.
        let completion = try await lone.completion(of: run, within: .seconds(8))
        XCTAssertEqual(completion.executorID, "exec-other")
        XCTAssertEqual(completion.outcome, .succeeded)
        // Two calls; the second may say attempt 3: a fetch the drain left open can take the nak'd run back once
        // more before the drained executor hands it back again, and JetStream counts that delivery too.
        XCTAssertEqual(lone.attemptsCalled(run).count, 2, "calls: \(lone.attemptsCalled(run))")
        try await lone.assertNothingLeft(of: run)
    }

    func testWebhookSlowerThanTheJobsTimeoutIsATimedOutAttemptRetriedThenGivenUp() async throws {
        let executor = lone.start("exec-a")
        let run = try await lone.publish("slow/3000", timeoutMs: 300, maxAttempts: 2)
        // Two attempts of 300 ms and a 200 ms back-off: well before the sink's first answer.
        let completion = try await lone.completion(of: run, within: .seconds(5))
        XCTAssertEqual(completion.outcome, .gaveUp)
        XCTAssertEqual(completion.attempts, 2)
        XCTAssertEqual(completion.httpStatus, 0)
        XCTAssertEqual(completion.error, "timed out after 300 ms")
        XCTAssertLessThan(
            completion.finishedAtNs - completion.startedAtNs, 2_000_000_000,
            "the last attempt outlasted its timeout")
        XCTAssertEqual(lone.attemptsCalled(run), ["1", "2"])
        try await lone.assertNothingLeft(of: run)
        // Counted once, alike in the stats and on /metrics: a run out of attempts is a failed run.
        _ = try await eventually("the run counted as given up") { executor.stats.gaveUp == 1 ? true : nil }
        XCTAssertEqual(executor.stats.failed, 1)
        XCTAssertEqual(executor.stats.retried, 1)
        let metrics = try PrometheusText(parsing: executor.prometheusExposition())
        XCTAssertEqual(metrics.sum("tock_executor_runs_failed_total"), 1)
        XCTAssertEqual(metrics.sum("tock_executor_runs_retried_total"), 1)
    }
}

private struct AckLost: Error {}
