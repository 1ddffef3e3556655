import TockCore
import TockModel
import XCTest

@testable import TockShard

/// The leader's gate: lanes take turns, a flow's runs wait for its limits to be read and then for its rate and
/// its concurrency, and the count of open runs survives what a new leader reads from the tables.
final class FlowGateTests: XCTestCase {
    let ms: Int64 = 1_000_000
    let partner = FlowID(tenant: "", key: "partner")

    func entry(_ id: String, lane: DueLane) -> DueEntry { DueEntry(dueAtNs: 0, jobID: id, run: 1, lane: lane) }

    func flowLane(_ key: String = "partner", priority: Priority = .normal) -> DueLane {
        DueLane(priority: priority, tenant: "", flowKey: key)
    }

    func key(_ id: String) -> String { Subjects.runMessageID(jobID: id, run: 1) }

    /// A gate that has read `limits` for the partner flow (with no open runs in the tables).
    func gate(_ limits: FlowLimits, waiting ids: [String], openInTables: [String] = []) -> FlowGate {
        var gate = FlowGate()
        for id in ids { gate.enqueue(entry(id, lane: flowLane())) }
        XCTAssertEqual(gate.reads(nowNs: 0), [FlowGate.Read(flow: partner, openRuns: true)])
        XCTAssertEqual(gate.take(nowNs: 0, limit: 100), [], "nothing goes before the limits are known")
        gate.read([FlowGate.Reading(flow: partner, limits: limits, openRuns: openInTables)], nowNs: 0)
        return gate
    }

    func testLanesTakeTurnsSoASmallLaneIsNotStuckBehindAFlood() {
        var gate = FlowGate()
        let flood = DueLane(priority: .normal, tenant: "", flowKey: "a")
        let small = DueLane(priority: .normal, tenant: "", flowKey: "b")
        for index in 0..<1000 { gate.enqueue(entry("a\(index)", lane: flood)) }
        for index in 0..<10 { gate.enqueue(entry("b\(index)", lane: small)) }
        for flow in gate.reads(nowNs: 0) {
            gate.read([FlowGate.Reading(flow: flow.flow, limits: .unlimited, openRuns: nil)], nowNs: 0)
        }
        let round = gate.take(nowNs: 0, limit: 20)
        XCTAssertEqual(round.filter { $0.lane == small }.count, 10)
        XCTAssertEqual(round.map(\.jobID).prefix(4), ["a0", "b0", "a1", "b1"])
        XCTAssertEqual(gate.held, 990)
        // The next round goes on where this one stopped, in due order within the lane.
        XCTAssertEqual(gate.take(nowNs: 0, limit: 2).map(\.jobID), ["a10", "a11"])
    }

    func testTenantsWithoutFlowsTakeTurnsToo() {
        var gate = FlowGate()
        for index in 0..<50 { gate.enqueue(entry("x\(index)", lane: DueLane(tenant: "big"))) }
        gate.enqueue(entry("y", lane: DueLane(tenant: "small")))
        XCTAssertEqual(gate.reads(nowNs: 0), [], "a tenant's lane has no limits to read")
        XCTAssertEqual(gate.take(nowNs: 0, limit: 2).map(\.jobID), ["x0", "y"])
    }

    func testARateSpacesReleases() {
        var gate = gate(FlowLimits(rate: FlowRate(count: 20, periodNs: FlowRate.second)), waiting: ["1", "2", "3"])
        XCTAssertEqual(gate.take(nowNs: 0, limit: 100).map(\.jobID), ["1"])
        XCTAssertEqual(gate.nextReleaseNs(), 50 * ms)
        XCTAssertEqual(gate.take(nowNs: 49 * ms, limit: 100), [])
        XCTAssertEqual(gate.take(nowNs: 50 * ms, limit: 100).map(\.jobID), ["2"])
        XCTAssertEqual(gate.take(nowNs: 200 * ms, limit: 100).map(\.jobID), ["3"])
        XCTAssertNil(gate.nextReleaseNs(), "nothing waits")
    }

    func testConcurrencyCountsRunsUntilTheyAreDoneOrGivenBack() {
        var gate = gate(FlowLimits(concurrency: 2), waiting: ["1", "2", "3", "4"])
        XCTAssertEqual(gate.take(nowNs: 0, limit: 100).map(\.jobID), ["1", "2"])
        XCTAssertNil(gate.nextReleaseNs(), "only a completion frees a slot")
        gate.committed([key("1"), key("2")])
        gate.finished([key("1")])
        XCTAssertEqual(gate.take(nowNs: 0, limit: 100).map(\.jobID), ["3"])
        gate.finished([key("1")])
        XCTAssertEqual(gate.take(nowNs: 0, limit: 100), [], "a completion reported twice frees one slot")
        gate.released([key("3")])
        XCTAssertEqual(gate.take(nowNs: 0, limit: 100).map(\.jobID), ["4"])
        XCTAssertEqual(gate.snapshot().first?.open, 2)
    }

    func testANewLeaderCountsTheRunsTheTablesHoldOpen() {
        var gate = gate(FlowLimits(concurrency: 2), waiting: ["1", "2"], openInTables: [key("old")])
        XCTAssertEqual(gate.take(nowNs: 0, limit: 100).map(\.jobID), ["1"])
        gate.finished([key("old")])
        XCTAssertEqual(gate.take(nowNs: 0, limit: 100).map(\.jobID), ["2"])
    }

    func testARereadKeepsReleasedRunsNotYetCommittedAndDropsRunsNoLongerOpen() {
        var gate = gate(FlowLimits(concurrency: 3), waiting: ["1", "2", "3"], openInTables: [key("cancelled")])
        XCTAssertEqual(gate.take(nowNs: 0, limit: 100).map(\.jobID), ["1", "2"])
        gate.committed([key("1")])
        // Thirty seconds on, the tables hold run 1 published; run 2's commit is not in yet; the cancelled run is
        // no longer open.
        let later: Int64 = 30_000 * ms
        XCTAssertEqual(gate.reads(nowNs: later), [FlowGate.Read(flow: partner, openRuns: true)])
        gate.read(
            [FlowGate.Reading(flow: partner, limits: FlowLimits(concurrency: 3), openRuns: [key("1")])], nowNs: later)
        XCTAssertEqual(gate.snapshot().first?.open, 2)
        XCTAssertEqual(gate.take(nowNs: later, limit: 100).map(\.jobID), ["3"])
    }

    func testChangedLimitsApplyToRunsAlreadyWaiting() {
        var gate = gate(FlowLimits(concurrency: 1), waiting: ["1", "2", "3"])
        XCTAssertEqual(gate.take(nowNs: 0, limit: 100).count, 1)
        XCTAssertEqual(gate.reads(nowNs: 999 * ms), [])
        XCTAssertEqual(gate.reads(nowNs: 1_000 * ms), [FlowGate.Read(flow: partner, openRuns: false)])
        gate.read([FlowGate.Reading(flow: partner, limits: .unlimited, openRuns: nil)], nowNs: 1_000 * ms)
        XCTAssertEqual(gate.take(nowNs: 1_000 * ms, limit: 100).count, 2)
    }

    func testAFailedReadIsRetriedAfterTheRefreshNotInALoop() {
        var gate = FlowGate()
        gate.enqueue(entry("1", lane: flowLane()))
        XCTAssertEqual(gate.reads(nowNs: 0).count, 1)
        XCTAssertEqual(gate.reads(nowNs: 0), [], "asked once until answered")
        gate.readFailed([partner], nowNs: 0)
        XCTAssertEqual(gate.nextReadNs(), 1_000 * ms)
        XCTAssertEqual(gate.reads(nowNs: 500 * ms), [])
        XCTAssertEqual(gate.reads(nowNs: 1_000 * ms).count, 1)
    }

    func testAnIdleFlowIsForgottenOnlyOnceItsPacerHasNothingBooked() {
        var gate = gate(FlowLimits(rate: FlowRate(count: 1, periodNs: FlowRate.hour)), waiting: ["1"])
        XCTAssertEqual(gate.take(nowNs: 0, limit: 100).count, 1)
        let sweep = FlowGate.sweepIntervalNs
        _ = gate.reads(nowNs: sweep)
        XCTAssertEqual(gate.snapshot().map(\.flow), [partner], "forgetting it now would allow a second run early")
        _ = gate.reads(nowNs: FlowRate.hour + sweep)
        XCTAssertEqual(gate.snapshot(), [])
    }

    func testHeldBackCountsPerFlow() {
        var gate = gate(FlowLimits(concurrency: 1), waiting: ["1", "2", "3"])
        gate.enqueue(entry("4", lane: flowLane(priority: .high)))
        _ = gate.take(nowNs: 0, limit: 100)
        XCTAssertEqual(
            gate.snapshot(),
            [FlowGateView(flow: partner, limits: FlowLimits(concurrency: 1), heldBack: 3, open: 1)])
        XCTAssertEqual(gate.held, 3)
    }
}

/// A re-read of open runs races the commits and completions that happen while it is out.
extension FlowGateTests {
    func testARunCommittedWhileTheReadIsOutStaysCountedAndOneClosedMeanwhileIsNot() {
        var gate = gate(FlowLimits(concurrency: 3), waiting: ["1", "2", "3", "4"], openInTables: [key("old")])
        XCTAssertEqual(gate.take(nowNs: 0, limit: 100).map(\.jobID), ["1", "2"])
        let later: Int64 = 30_000 * ms
        XCTAssertEqual(gate.reads(nowNs: later), [FlowGate.Read(flow: partner, openRuns: true)])
        // While the read is out: run 1's "published" commits (after the read's snapshot, which misses it), and the
        // old leader's run finishes (the snapshot still holds it).
        gate.committed([key("1")])
        gate.finished([key("old")])
        gate.read(
            [FlowGate.Reading(flow: partner, limits: FlowLimits(concurrency: 3), openRuns: [key("old")])], nowNs: later)
        XCTAssertEqual(gate.snapshot().first?.open, 2, "runs 1 and 2 are open; the old one is done")
        XCTAssertEqual(gate.take(nowNs: later, limit: 100).map(\.jobID), ["3"])
    }
}
