import TockCore
import TockModel
import XCTest

@testable import TockShard

/// The due-timer with flows: a flow's runs wait for its limits, go out at its rate, and free their slots when
/// done; a run whose lane was wrong is held in the right one.
extension DueTimerTests {
    func flowJob(_ id: String, due: Int64, key: String = "partner") -> Job {
        var job = job(id, due: due)
        job.flowKey = key
        return job
    }

    func flowReads(_ actions: [DueTimerAction]) -> [FlowGate.Read] {
        actions.flatMap { action -> [FlowGate.Read] in
            if case .readFlows(let reads) = action { reads } else { [] }
        }
    }

    /// Loads the round and publishes and commits it; returns the ids published.
    func publishRound(_ timer: inout DueTimer, _ due: [DueEntry], jobs: [Job], at now: Int64) -> [String] {
        timer.handle(
            .loaded(due, jobs: jobs.map { DueCandidate(job: $0, previousRunOut: false) }), nowNs: now)
        let runs = timer.poll(nowNs: now).flatMap { action -> [DueRun] in
            if case .publish(let runs, _) = action { runs } else { [] }
        }
        let acks = runs.map { ack($0.job, sequence: 1, at: now) }
        timer.handle(.published(acked: acks, failed: []), nowNs: now)
        _ = timer.poll(nowNs: now)
        timer.handle(.commitAnswered(acks, committed: true), nowNs: now)
        return runs.map(\.job.id)
    }

    func testAFlowsRunsWaitForItsLimitsThenGoAtItsRateAndConcurrency() {
        var timer = timer()
        let jobs = (0..<4).map { flowJob("f\($0)", due: 0) }
        let flow = FlowID(tenant: "", key: "partner")
        started(&timer, rows: jobs.map(\.dueEntry))
        let first = timer.poll(nowNs: 0)
        XCTAssertEqual(loads(first), [], "held until the flow's limits are read")
        XCTAssertEqual(flowReads(first), [FlowGate.Read(flow: flow, openRuns: true)])
        XCTAssertEqual(timer.held, 4)
        timer.handle(
            .flowsRead([
                FlowGate.Reading(
                    flow: flow,
                    limits: FlowLimits(rate: FlowRate(count: 10, periodNs: FlowRate.second), concurrency: 2),
                    openRuns: [])
            ]), nowNs: 0)
        guard let round = loads(timer.poll(nowNs: 0)).first else { return XCTFail("a round goes out") }
        XCTAssertEqual(round.map(\.jobID), ["f0"])
        XCTAssertEqual(publishRound(&timer, round, jobs: [jobs[0]], at: 0), ["f0"])
        XCTAssertEqual(timer.wakeAtNs, 100 * ms, "the next at the rate")
        guard let second = loads(timer.poll(nowNs: 100 * ms)).first else { return XCTFail("a second round") }
        XCTAssertEqual(publishRound(&timer, second, jobs: [jobs[1]], at: 100 * ms), ["f1"])
        XCTAssertEqual(loads(timer.poll(nowNs: 500 * ms)), [], "two are open")
        timer.handle(.finished([Subjects.runMessageID(jobID: "f0", run: 1)]), nowNs: 500 * ms)
        XCTAssertEqual(loads(timer.poll(nowNs: 500 * ms)).first?.map(\.jobID), ["f2"])
    }

    func testARunWhoseLaneHadNoFlowIsHeldInItsFlowsLaneNotPublished() {
        var timer = timer()
        let a = flowJob("a", due: 0)
        // As a retry after a failure may hold it: without its lane.
        started(&timer, rows: [DueEntry(dueAtNs: 0, jobID: "a", run: 1)])
        guard let round = loads(timer.poll(nowNs: 0)).first else { return XCTFail("the run is loaded") }
        timer.handle(.loaded(round, jobs: [DueCandidate(job: a, previousRunOut: false)]), nowNs: 0)
        let actions = timer.poll(nowNs: 0)
        XCTAssertFalse(actions.contains { if case .publish = $0 { true } else { false } }, "\(actions)")
        XCTAssertEqual(flowReads(actions).map(\.flow), [FlowID(tenant: "", key: "partner")])
        XCTAssertEqual(timer.held, 1)
    }

    func testAFlowsRunThatCannotBePublishedGivesItsSlotBack() {
        var timer = timer()
        let a = flowJob("a", due: 0)
        let b = flowJob("b", due: 0)
        let flow = FlowID(tenant: "", key: "partner")
        started(&timer, rows: [a.dueEntry, b.dueEntry])
        _ = timer.poll(nowNs: 0)
        timer.handle(
            .flowsRead([FlowGate.Reading(flow: flow, limits: FlowLimits(concurrency: 1), openRuns: [])]), nowNs: 0)
        guard let round = loads(timer.poll(nowNs: 0)).first else { return XCTFail("a round") }
        XCTAssertEqual(round.map(\.jobID), ["a"])
        // Cancelled meanwhile: the read finds nothing to publish.
        timer.handle(.loaded(round, jobs: []), nowNs: 0)
        XCTAssertEqual(loads(timer.poll(nowNs: 0)).first?.map(\.jobID), ["b"])
    }
}
