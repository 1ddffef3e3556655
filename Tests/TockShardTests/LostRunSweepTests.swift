import TockCore
import TockModel
import TockNATS
import TockWire
import XCTest

@testable import TockShard

/// Reconciliation's passes without I/O: pages and cursors, which runs are looked up, which wait for the
/// completions to settle and are then handed out to be published again.
final class LostRunSweepTests: XCTestCase {
    let second: Int64 = 1_000_000_000

    /// A 1 s minimum, a 1 s ack wait and no back-off: a one-attempt run with a 1 s timeout is overdue after 2 s.
    func sweep(batch: Int = 2) -> LostRunSweep {
        var queues = QueueConfig()
        queues.priorities[.normal]?.consumer.ackWaitNs = second
        return LostRunSweep(policy: LostRunPolicy(minimumAgeNs: second, queues: queues), batch: batch)
    }

    func row(_ id: String, publishedAt: Int64, recurring: Bool = false) -> PublishedRunRow {
        PublishedRunRow(
            jobID: id, run: 1, recurring: recurring, priority: .normal, streamSequence: 9,
            publishedAtNs: publishedAt, dueAtNs: 0, maxAttempts: 1, timeoutMs: 1000)
    }

    func message(_ id: String) -> StoredMessage {
        StoredMessage(subject: "tock.jobs.normal.0", messageID: id, payload: [])
    }

    func testAFullPageMovesTheCursorOnAndAShortOneStartsOver() {
        var sweep = sweep()
        let now = 10 * second
        let first = sweep.scans(nowNs: now)
        XCTAssertEqual(first.map(\.recurring), [false, true])
        XCTAssertEqual(first[0].beforeNs, 9 * second, "nothing younger than the minimum is read")
        XCTAssertEqual(first[0].after, .init())
        let overdue = sweep.read(
            [
                .init(scan: first[0], rows: [row("a", publishedAt: 1), row("b", publishedAt: 2)]),
                .init(scan: first[1], rows: []),
            ],
            nowNs: now)
        XCTAssertEqual(overdue.map(\.jobID), ["a", "b"])
        let second = sweep.scans(nowNs: now)
        XCTAssertEqual(second[0].after, .init(publishedAtNs: 2, jobID: "b", run: 1))
        XCTAssertEqual(second[1].after, .init(), "an empty page starts over")
        _ = sweep.read(
            [.init(scan: second[0], rows: [row("c", publishedAt: 3)]), .init(scan: second[1], rows: [])],
            nowNs: now)
        XCTAssertEqual(sweep.scans(nowNs: now)[0].after, .init(), "the end was reached: the next pass starts over")
    }

    func testOnlyOverdueRunsOfAPageAreLookedUp() {
        var sweep = sweep()
        let now = 10 * second
        let scans = sweep.scans(nowNs: now)
        // Both are out longer than the 1 s minimum; a's bound is 2 s, that of a job of 100 attempts of 10 s far
        // longer than its 8.5 s.
        var slow = row("slow", publishedAt: 1_500_000_000)
        slow.maxAttempts = 100
        slow.timeoutMs = 10_000
        let overdue = sweep.read(
            [
                .init(scan: scans[0], rows: [row("a", publishedAt: 1), slow]),
                .init(scan: scans[1], rows: []),
            ], nowNs: now)
        XCTAssertEqual(overdue.map(\.jobID), ["a"])
    }

    func testRunsFoundGoneWaitUntilTakenAndRunsInTheStreamAreLeftAlone() {
        var sweep = sweep()
        let a = row("a", publishedAt: 1)
        let b = row("b", publishedAt: 2)
        let c = row("c", publishedAt: 3, recurring: true)
        sweep.answered(a, stored: nil)
        sweep.answered(b, stored: message("b/1"))
        XCTAssertEqual(Set(sweep.suspects.keys), ["a/1"])
        // The completions did not settle; a later pass finds a again and c gone too.
        sweep.answered(a, stored: nil)
        sweep.answered(c, stored: message("z/1"))
        XCTAssertEqual(Set(sweep.takeSuspects().map(\.key)), ["a/1", "c/1"])
        XCTAssertTrue(sweep.suspects.isEmpty)
    }

    func testAFailedLookUpStartsEveryTableOver() {
        var sweep = sweep()
        let now = 10 * second
        let scans = sweep.scans(nowNs: now)
        _ = sweep.read(
            [
                .init(scan: scans[0], rows: [row("a", publishedAt: 1), row("b", publishedAt: 2)]),
                .init(
                    scan: scans[1],
                    rows: [
                        row("c", publishedAt: 1, recurring: true),
                        row("d", publishedAt: 2, recurring: true),
                    ]),
            ],
            nowNs: now)
        XCTAssertNotEqual(sweep.scans(nowNs: now)[1].after, .init())
        sweep.lookUpFailed()
        XCTAssertEqual(sweep.scans(nowNs: now).map(\.after), [.init(), .init()])
    }
}
