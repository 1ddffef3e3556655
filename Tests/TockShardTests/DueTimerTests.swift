import TockCore
import TockModel
import TockNATS
import TockWire
import XCTest

@testable import TockShard

/// The due-timer's decisions, driven by events and numbers for the time: no nats-server, no SQLite, no clock.
final class DueTimerTests: XCTestCase {
    let ms: Int64 = 1_000_000
    let second: Int64 = 1_000_000_000
    let minute: Int64 = 60_000_000_000

    func timer(capacity: Int = 100, batchLimit: Int = 1024) -> DueTimer {
        var queues = QueueConfig()
        queues.priorities[.normal]?.consumer.ackWaitNs = second
        return DueTimer(
            window: DueWindow(span: .seconds(60), capacity: capacity),
            settings: DueTimer.Settings(
                batchLimit: batchLimit, reconcileIntervalNs: 30 * second,
                lostRuns: LostRunPolicy(minimumAgeNs: second, queues: queues)))
    }

    func job(_ id: String, due: Int64, run: UInt32 = 1, schedule: Schedule? = nil) -> Job {
        Job(
            id: id, shard: 0, state: .scheduled, priority: .normal,
            target: HTTPTarget(url: "http://sink", method: "POST", headers: [], body: []), timeoutMs: 1000,
            maxAttempts: 1, idempotencyKey: "", run: run, dueAtNs: due, createdAtNs: 0, updatedAtNs: 0, attempts: 0,
            webhookFormat: .tock, schedule: schedule)
    }

    func entry(_ job: Job) -> DueEntry { DueEntry(dueAtNs: job.dueAtNs, jobID: job.id, run: job.run) }

    func ack(_ job: Job, sequence: UInt64, at: Int64) -> PublishAck {
        PublishAck(
            run: PublishedRun(jobID: job.id, run: job.run, streamSequence: sequence, publishedAtNs: at),
            priority: job.priority, lane: job.dueLane, dueAtNs: job.dueAtNs, ackedAtNs: at)
    }

    func published(_ id: String, at: Int64, sequence: UInt64 = 7) -> PublishedRunRow {
        PublishedRunRow(
            jobID: id, run: 1, recurring: false, priority: .normal, streamSequence: sequence,
            publishedAtNs: at, dueAtNs: at, maxAttempts: 1, timeoutMs: 1000)
    }

    /// The window's first scan (and the first reconciliation pass, which finds nothing) answered with `rows`.
    func started(_ timer: inout DueTimer, rows: [DueEntry], at now: Int64 = 0) {
        let actions = timer.poll(nowNs: now)
        guard case .scan(let scan) = actions.first else { return XCTFail("the first action scans: \(actions)") }
        timer.handle(.scanned(scan, rows: rows), nowNs: now)
        for case .readOverdue(let scans) in actions {
            timer.handle(.overdueRead(scans.map { LostRunSweep.Page(scan: $0, rows: []) }), nowNs: now)
        }
    }

    func loads(_ actions: [DueTimerAction]) -> [[DueEntry]] {
        actions.compactMap { if case .load(let due) = $0 { due } else { nil } }
    }

    // MARK: publishing

    func testADueRunIsReadPublishedAndCommittedInTurn() {
        var timer = timer()
        let a = job("a", due: 5 * second)
        started(&timer, rows: [entry(a)])
        XCTAssertEqual(timer.held, 1)
        XCTAssertTrue(loads(timer.poll(nowNs: 4 * second)).isEmpty, "not due yet")
        XCTAssertEqual(timer.wakeAtNs, 5 * second)

        XCTAssertEqual(loads(timer.poll(nowNs: 5 * second)), [[entry(a)]])
        timer.handle(.loaded([entry(a)], jobs: [DueCandidate(job: a, previousRunOut: false)]), nowNs: 5 * second)
        XCTAssertEqual(timer.poll(nowNs: 5 * second), [.publish([DueRun(job: a, nextDueAtNs: nil)], atNs: 5 * second)])
        timer.handle(.published(acked: [ack(a, sequence: 1, at: 5 * second)], failed: []), nowNs: 5 * second)
        XCTAssertEqual(timer.poll(nowNs: 5 * second), [.commit([ack(a, sequence: 1, at: 5 * second)])])
        timer.handle(.commitAnswered([ack(a, sequence: 1, at: 5 * second)], committed: true), nowNs: 5 * second)
        XCTAssertEqual(timer.held, 0)
        XCTAssertTrue(loads(timer.poll(nowNs: 6 * second)).isEmpty, "published once")
    }

    func testARunWhoseCommitFailedIsPublishedAgainAfterTheBackOff() {
        var timer = timer()
        let a = job("a", due: 0)
        started(&timer, rows: [entry(a)])
        _ = timer.poll(nowNs: 0)
        timer.handle(.loaded([entry(a)], jobs: [DueCandidate(job: a, previousRunOut: false)]), nowNs: 0)
        _ = timer.poll(nowNs: 0)
        timer.handle(.published(acked: [ack(a, sequence: 1, at: 0)], failed: []), nowNs: 0)
        _ = timer.poll(nowNs: 0)
        timer.handle(.commitAnswered([ack(a, sequence: 1, at: 0)], committed: false), nowNs: 10 * ms)
        XCTAssertEqual(timer.held, 1, "held again")
        XCTAssertTrue(loads(timer.poll(nowNs: 10 * ms)).isEmpty, "not at once")
        XCTAssertEqual(timer.wakeAtNs, 260 * ms, "250 ms later")
        XCTAssertEqual(
            loads(timer.poll(nowNs: 260 * ms)), [[DueEntry(dueAtNs: 260 * ms, jobID: "a", run: 1)]],
            "the same run again: its message id is the same, so JetStream drops a duplicate")
    }

    func testCommitFailuresBackOffThoughTheRunsArePublishedAgainAndACommitEndsThat() {
        var timer = timer()
        let a = job("a", due: 0)
        started(&timer, rows: [entry(a)])
        var now: Int64 = 0
        var delays: [Int64] = []
        for _ in 0..<6 {
            guard let due = loads(timer.poll(nowNs: now)).first else { return XCTFail("the run is due at \(now)") }
            timer.handle(.loaded(due, jobs: [DueCandidate(job: a, previousRunOut: false)]), nowNs: now)
            _ = timer.poll(nowNs: now)
            timer.handle(.published(acked: [ack(a, sequence: 1, at: now)], failed: []), nowNs: now)
            _ = timer.poll(nowNs: now)
            timer.handle(.commitAnswered([ack(a, sequence: 1, at: now)], committed: false), nowNs: now)
            guard let next = timer.wakeAtNs else { return XCTFail("a retry is scheduled") }
            delays.append((next - now) / ms)
            now = next
        }
        XCTAssertEqual(
            delays, [250, 500, 1000, 2000, 4000, 5000],
            "a full disk must not have each due run published again four times a second")

        guard let due = loads(timer.poll(nowNs: now)).first else { return XCTFail("the run is due at \(now)") }
        timer.handle(.loaded(due, jobs: [DueCandidate(job: a, previousRunOut: false)]), nowNs: now)
        _ = timer.poll(nowNs: now)
        timer.handle(.published(acked: [ack(a, sequence: 1, at: now)], failed: []), nowNs: now)
        _ = timer.poll(nowNs: now)
        timer.handle(.commitAnswered([ack(a, sequence: 1, at: now)], committed: true), nowNs: now)
        let b = job("b", due: now)
        let c = job("c", due: now)
        timer.handle(.scheduled([entry(b)]), nowNs: now)
        guard let round = loads(timer.poll(nowNs: now)).first else { return XCTFail("b is due") }
        timer.handle(.loaded(round, jobs: [DueCandidate(job: b, previousRunOut: false)]), nowNs: now)
        _ = timer.poll(nowNs: now)
        timer.handle(.published(acked: [ack(b, sequence: 2, at: now)], failed: []), nowNs: now)
        timer.handle(.scheduled([entry(c)]), nowNs: now)
        guard let next = loads(timer.poll(nowNs: now)).first else { return XCTFail("c is due") }
        timer.handle(.loaded(next, jobs: [DueCandidate(job: c, previousRunOut: false)]), nowNs: now)
        _ = timer.poll(nowNs: now)
        timer.handle(.published(acked: [], failed: [entry(c)]), nowNs: now)
        XCTAssertEqual(
            timer.wakeAtNs.map { ($0 - now) / ms }, 250,
            "once a commit went through, a round that publishes resets the back-off again")
    }

    func testARunOutForPublishOrCommitIsNotHeldTwice() {
        var timer = timer()
        let a = job("a", due: 0)
        started(&timer, rows: [entry(a)])
        _ = timer.poll(nowNs: 0)
        // A scan, or a commit's newly scheduled runs, read the row while it is still `scheduled`.
        timer.handle(.scheduled([entry(a)]), nowNs: 0)
        XCTAssertEqual(timer.held, 0, "being read for publishing")
        timer.handle(.loaded([entry(a)], jobs: [DueCandidate(job: a, previousRunOut: false)]), nowNs: 0)
        _ = timer.poll(nowNs: 0)
        timer.handle(.published(acked: [ack(a, sequence: 1, at: 0)], failed: []), nowNs: 0)
        timer.handle(.scheduled([entry(a)]), nowNs: 0)
        XCTAssertEqual(timer.held, 0, "being committed")
        _ = timer.poll(nowNs: 0)
        timer.handle(.commitAnswered([ack(a, sequence: 1, at: 0)], committed: true), nowNs: 0)
        timer.handle(.scheduled([entry(a)]), nowNs: 0)
        XCTAssertEqual(timer.held, 1, "once committed, a run brought back is held (and read again before publishing)")
    }

    func testARunNoLongerScheduledIsDropped() {
        var timer = timer()
        let a = job("a", due: 0)
        started(&timer, rows: [entry(a)])
        _ = timer.poll(nowNs: 0)
        timer.handle(.loaded([entry(a)], jobs: []), nowNs: 0)
        XCTAssertEqual(timer.poll(nowNs: 0), [], "cancelled or paused meanwhile: nothing to publish")
        XCTAssertEqual(timer.held, 0)
    }

    func testBrokerFailuresBackOffDoublingToFiveSecondsAndASuccessResetsIt() {
        var timer = timer()
        let a = job("a", due: 0)
        started(&timer, rows: [entry(a)])
        var now: Int64 = 0
        var delays: [Int64] = []
        for _ in 0..<7 {
            guard let due = loads(timer.poll(nowNs: now)).first else { return XCTFail("the run is due at \(now)") }
            timer.handle(.loaded(due, jobs: [DueCandidate(job: a, previousRunOut: false)]), nowNs: now)
            _ = timer.poll(nowNs: now)
            timer.handle(.published(acked: [], failed: [entry(a)]), nowNs: now)
            guard let next = timer.wakeAtNs else { return XCTFail("a retry is scheduled") }
            delays.append((next - now) / ms)
            now = next
        }
        XCTAssertEqual(delays, [250, 500, 1000, 2000, 4000, 5000, 5000])

        let b = job("b", due: now)
        timer.handle(.scheduled([entry(b)]), nowNs: now)
        guard let due = loads(timer.poll(nowNs: now)).first else { return XCTFail("both runs are due") }
        timer.handle(
            .loaded(due, jobs: due.map { DueCandidate(job: $0.jobID == "a" ? a : b, previousRunOut: false) }),
            nowNs: now)
        _ = timer.poll(nowNs: now)
        timer.handle(.published(acked: [ack(b, sequence: 2, at: now)], failed: [entry(a)]), nowNs: now)
        XCTAssertEqual(timer.poll(nowNs: now), [.commit([ack(b, sequence: 2, at: now)])])
        XCTAssertEqual(timer.wakeAtNs.map { ($0 - now) / ms }, 5000, "a partial failure still backs off")
        let c = job("c", due: now)
        let d = job("d", due: now)
        timer.handle(.scheduled([entry(c), entry(d)]), nowNs: now)
        guard let round = loads(timer.poll(nowNs: now)).first else { return XCTFail("c and d are due") }
        timer.handle(
            .loaded(
                round,
                jobs: [
                    DueCandidate(job: c, previousRunOut: false),
                    DueCandidate(job: d, previousRunOut: false),
                ]), nowNs: now)
        _ = timer.poll(nowNs: now)
        timer.handle(.published(acked: [ack(c, sequence: 3, at: now)], failed: []), nowNs: now)
        _ = timer.poll(nowNs: now)
        timer.handle(.published(acked: [], failed: [entry(d)]), nowNs: now)
        XCTAssertEqual(timer.wakeAtNs.map { ($0 - now) / ms }, 250, "a round that published reset the back-off")
    }

    func testCommitsUnderWayBoundTheRoundsPublished() {
        var timer = timer(batchLimit: 1)
        XCTAssertEqual(timer.maxCommitting, 8)
        let jobs = (0..<9).map { job("j\($0)", due: 0) }
        started(&timer, rows: jobs.map(entry))
        var acks: [PublishAck] = []
        for round in 0..<8 {
            guard let due = loads(timer.poll(nowNs: 0)).first, let run = due.first else {
                return XCTFail("round \(round) starts while commits have room")
            }
            let job = jobs.first { $0.id == run.jobID }!
            timer.handle(.loaded(due, jobs: [DueCandidate(job: job, previousRunOut: false)]), nowNs: 0)
            _ = timer.poll(nowNs: 0)
            acks.append(ack(job, sequence: UInt64(round + 1), at: 0))
            timer.handle(.published(acked: [acks.last!], failed: []), nowNs: 0)
        }
        XCTAssertTrue(loads(timer.poll(nowNs: 0)).isEmpty, "eight runs in commit: the ninth waits")
        XCTAssertNil(timer.wakeAtNs.flatMap { $0 <= 0 ? $0 : nil }, "and the timer does not spin meanwhile")
        timer.handle(.commitAnswered([acks[0]], committed: true), nowNs: 0)
        XCTAssertEqual(loads(timer.poll(nowNs: 0)).count, 1, "a commit ended: the ninth goes out")
    }

    func testTheWindowIsRefilledAsItDrains() {
        var timer = timer(capacity: 4)
        let jobs = (0..<6).map { job("j\($0)", due: Int64($0) * second) }
        let actions = timer.poll(nowNs: 0)
        guard case .scan(let first) = actions.first else { return XCTFail("scans first") }
        XCTAssertEqual(first.limit, 4)
        timer.handle(.scanned(first, rows: Array(jobs.prefix(4).map(entry))), nowNs: 0)
        XCTAssertEqual(timer.held, 3, "a full page: its last row waits for the next scan, which starts there")
        var refills: [DueWindow.Scan] = []
        for (index, job) in jobs.prefix(3).enumerated() {
            let now = Int64(index) * second
            let actions = timer.poll(nowNs: now)
            refills += actions.compactMap { if case .scan(let scan) = $0 { scan } else { nil } }
            let due = loads(actions)
            XCTAssertEqual(due, [[entry(job)]])
            timer.handle(.loaded(due[0], jobs: []), nowNs: now)
        }
        refills += timer.poll(nowNs: 3 * second).compactMap { if case .scan(let scan) = $0 { scan } else { nil } }
        XCTAssertEqual(refills.first?.from, entry(jobs[3]).key, "drained: the next page starts at the row left out")
        XCTAssertEqual(refills.count, 1, "one scan at a time")
    }

    func testAFailedScanIsRetriedASecondLater() {
        var timer = timer()
        guard case .scan(let scan) = timer.poll(nowNs: 0).first else { return XCTFail("scans first") }
        timer.handle(.scanFailed(scan), nowNs: 0)
        XCTAssertFalse(timer.poll(nowNs: 500 * ms).contains { if case .scan = $0 { true } else { false } })
        XCTAssertTrue(timer.poll(nowNs: second).contains { if case .scan = $0 { true } else { false } })
    }
}
