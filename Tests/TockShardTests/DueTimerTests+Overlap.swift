import TockCore
import TockModel
import XCTest

@testable import TockShard

/// A recurring job's overlap policy (allow, skip, wait) when its previous run is still out, and misfire: skip.
extension DueTimerTests {
    func testOverlapPoliciesSkipWaitOrPublish() {
        let now = 100 * minute
        for overlap in Schedule.Overlap.allCases {
            var timer = timer()
            let j = job("r", due: now, run: 4, schedule: Schedule(cron: "* * * * *", overlap: overlap))
            started(&timer, rows: [entry(j)], at: now)
            _ = timer.poll(nowNs: now)
            timer.handle(.loaded([entry(j)], jobs: [DueCandidate(job: j, previousRunOut: true)]), nowNs: now)
            let actions = timer.poll(nowNs: now)
            switch overlap {
            case .allow:
                XCTAssertEqual(actions, [.publish([DueRun(job: j, nextDueAtNs: 101 * minute)], atNs: now)])
            case .skip:
                guard case .skip(let skip, let at) = actions.first, actions.count == 1 else {
                    return XCTFail("one skip: \(actions)")
                }
                XCTAssertEqual(at, now)
                XCTAssertEqual(skip.next, 101 * minute)
                XCTAssertEqual(timer.held, 0)
                timer.handle(.skipAnswered(skip, committed: false), nowNs: now)
                XCTAssertEqual(timer.held, 1, "a skip that could not be committed comes due again")
            case .wait:
                XCTAssertEqual(actions, [], "nothing published while the previous run is out")
                XCTAssertEqual(timer.held, 1)
                XCTAssertEqual(
                    loads(timer.poll(nowNs: now + second)),
                    [
                        [
                            DueEntry(
                                dueAtNs: now + second, jobID: "r",
                                run: 4)
                        ]
                    ], "looked at a second later")
            }
        }
    }

    func testAMissedRunWithMisfireSkipIsSkipped() {
        let now = 100 * minute
        var timer = timer()
        let j = job("r", due: now - 5 * minute, schedule: Schedule(cron: "* * * * *", misfire: .skip))
        started(&timer, rows: [entry(j)], at: now)
        _ = timer.poll(nowNs: now)
        timer.handle(.loaded([entry(j)], jobs: [DueCandidate(job: j, previousRunOut: false)]), nowNs: now)
        guard case .skip(let skip, _) = timer.poll(nowNs: now).first else { return XCTFail("skipped") }
        XCTAssertTrue(skip.reason.contains("misfire: skip"), skip.reason)
    }
}
