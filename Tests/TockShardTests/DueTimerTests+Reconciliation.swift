import TockCore
import TockNATS
import XCTest

@testable import TockShard

/// Reconciliation passes: overdue runs looked up in their stream and republished once completions settled.
extension DueTimerTests {
    func testAPassLooksOverdueRunsUpAndRepublishesThoseGoneOnceCompletionsSettled() {
        var timer = timer()
        let actions = timer.poll(nowNs: 0)
        guard let scans = actions.lazy.compactMap({ if case .readOverdue(let scans) = $0 { scans } else { nil } }).first
        else { return XCTFail("a pass starts with the timer: \(actions)") }
        let now = 10 * second
        let gone = published("gone", at: 0)
        let there = published("there", at: 0, sequence: 8)
        let young = published("young", at: now - 500 * ms)
        timer.handle(
            .overdueRead([.init(scan: scans[0], rows: [gone, there, young]), .init(scan: scans[1], rows: [])]),
            nowNs: now)
        XCTAssertEqual(timer.poll(nowNs: now), [.lookUp([gone, there])], "only runs out longer than their bound")
        let stored = StoredMessage(
            subject: "tock.jobs.normal.0",
            messageID: Subjects.runMessageID(jobID: "there", run: 1), payload: [])
        timer.handle(
            .lookedUp(
                [RunLookUp(run: gone, stored: nil), RunLookUp(run: there, stored: stored)],
                failed: false), nowNs: now)
        XCTAssertEqual(timer.poll(nowNs: now), [.awaitCompletions], "gone may mean done: completions settle first")
        timer.handle(.completionsSettled(true), nowNs: now)
        XCTAssertEqual(timer.poll(nowNs: now), [.republish([gone])], "the run still in its stream is left alone")
        timer.handle(.republishAnswered, nowNs: now)
        XCTAssertEqual(timer.pass, .idle(nextAtNs: now + 30 * second))
    }

    func testAPassWithEveryRunInItsStreamRepublishesNothing() {
        var timer = timer()
        guard case .readOverdue(let scans) = timer.poll(nowNs: 0).last else { return XCTFail("a pass starts") }
        let run = published("a", at: 0)
        timer.handle(
            .overdueRead([.init(scan: scans[0], rows: [run]), .init(scan: scans[1], rows: [])]),
            nowNs: 5 * second)
        _ = timer.poll(nowNs: 5 * second)
        let stored = StoredMessage(subject: "s", messageID: Subjects.runMessageID(jobID: "a", run: 1), payload: [])
        timer.handle(.lookedUp([RunLookUp(run: run, stored: stored)], failed: false), nowNs: 5 * second)
        XCTAssertEqual(timer.poll(nowNs: 5 * second), [])
        XCTAssertEqual(timer.pass, .idle(nextAtNs: 35 * second))
    }

    func testRunsGoneBeforeCompletionsSettleWaitForTheNextPass() {
        var timer = timer()
        guard case .readOverdue(let scans) = timer.poll(nowNs: 0).last else { return XCTFail("a pass starts") }
        let gone = published("gone", at: 0)
        timer.handle(
            .overdueRead([.init(scan: scans[0], rows: [gone]), .init(scan: scans[1], rows: [])]),
            nowNs: 5 * second)
        _ = timer.poll(nowNs: 5 * second)
        timer.handle(.lookedUp([RunLookUp(run: gone, stored: nil)], failed: false), nowNs: 5 * second)
        _ = timer.poll(nowNs: 5 * second)
        timer.handle(.completionsSettled(false), nowNs: 5 * second)
        XCTAssertEqual(timer.poll(nowNs: 5 * second), [], "not republished while a completion may be waiting")
        guard case .readOverdue(let next) = timer.poll(nowNs: 35 * second).last else { return XCTFail("next pass") }
        // The run completed meanwhile: the next page does not have it, but the suspect is settled and re-read.
        timer.handle(.overdueRead(next.map { .init(scan: $0, rows: []) }), nowNs: 35 * second)
        XCTAssertEqual(timer.poll(nowNs: 35 * second), [.awaitCompletions])
        timer.handle(.completionsSettled(true), nowNs: 35 * second)
        XCTAssertEqual(
            timer.poll(nowNs: 35 * second), [.republish([gone])],
            "handed out to be read again: the actor publishes it only if it is still out")
    }

    func testAReconnectStartsAPassAtOnceOrRightAfterTheOneUnderWay() {
        var timer = timer()
        started(&timer, rows: [])
        XCTAssertEqual(timer.pass, .idle(nextAtNs: 30 * second))
        timer.handle(.brokerReconnected, nowNs: 2 * second)
        guard case .readOverdue(let scans) = timer.poll(nowNs: 2 * second).last else {
            return XCTFail("a reconnect starts a pass")
        }
        timer.handle(.brokerReconnected, nowNs: 3 * second)
        timer.handle(.overdueRead(scans.map { .init(scan: $0, rows: []) }), nowNs: 3 * second)
        XCTAssertEqual(timer.pass, .idle(nextAtNs: 3 * second), "a reconnect during a pass asks for another")
    }

    func testALookUpFailureEndsThePassAndTheNextStartsOver() {
        var timer = timer()
        guard case .readOverdue(let scans) = timer.poll(nowNs: 0).last else { return XCTFail("a pass starts") }
        let rows = [published("a", at: 0), published("b", at: 1)]
        timer.handle(
            .overdueRead([.init(scan: scans[0], rows: rows), .init(scan: scans[1], rows: [])]),
            nowNs: 5 * second)
        _ = timer.poll(nowNs: 5 * second)
        timer.handle(.lookedUp([], failed: true), nowNs: 5 * second)
        XCTAssertEqual(timer.pass, .idle(nextAtNs: 35 * second))
        guard case .readOverdue(let next) = timer.poll(nowNs: 35 * second).last else { return XCTFail("next pass") }
        XCTAssertEqual(next[0].after, .init(), "the next pass reads from the oldest again")
    }

    func testAWallClockSteppedBackKeepsThePassAnIntervalAway() {
        var timer = timer()
        started(&timer, rows: [], at: 10 * minute)
        XCTAssertEqual(timer.pass, .idle(nextAtNs: 10 * minute + 30 * second))
        _ = timer.poll(nowNs: 0)
        XCTAssertEqual(timer.pass, .idle(nextAtNs: 30 * second), "not ten minutes and thirty seconds")
    }
}
