import TockModel
import TockWire
import XCTest

@testable import TockShard

/// Retention's decisions without a clock, a database or a log: the cutoff, what one entry holds, and the pacing.
final class RetentionPolicyTests: XCTestCase {
    private func runs(_ count: Int) -> [RunKey] { (0..<count).map { RunKey(jobID: "r", run: UInt32($0 + 1)) } }

    private func job(_ id: String, runs: Int = 0) -> RetentionScan.Candidate {
        RetentionScan.Candidate(jobID: id, runs: runs)
    }

    func testZeroKeepsEverythingAndTheCutoffSaturates() {
        XCTAssertFalse(RetentionPolicy(retentionNs: 0).isEnabled)
        XCTAssertFalse(RetentionPolicy(retentionNs: -5).isEnabled)
        let policy = RetentionPolicy(retentionNs: 1000)
        XCTAssertTrue(policy.isEnabled)
        XCTAssertEqual(policy.cutoffNs(nowNs: 5000), 4000)
        XCTAssertEqual(policy.cutoffNs(nowNs: .min + 10), .min)
        XCTAssertEqual(RetentionPolicy(retentionNs: .max).cutoffNs(nowNs: -1), .min)
    }

    func testRunsGoFirstAndJobsFillWhatIsLeftOfTheBudget() {
        let policy = RetentionPolicy(retentionNs: 1, batch: 10)
        let batch = policy.batch(runs: runs(4), jobs: [job("a"), job("b", runs: 2), job("c", runs: 3), job("d")])
        XCTAssertEqual(batch.runs, runs(4))
        XCTAssertEqual(batch.jobIDs, ["a", "b"], "c's four rows would make eleven")
        XCTAssertTrue(batch.full)
    }

    func testAFullPageOfRunsLeavesNoRoomForJobs() {
        let policy = RetentionPolicy(retentionNs: 1, batch: 3)
        let batch = policy.batch(runs: runs(5), jobs: [job("a")])
        XCTAssertEqual(batch.runs, runs(3))
        XCTAssertEqual(batch.jobIDs, [])
        XCTAssertTrue(batch.full)
    }

    func testAJobWithMoreRunsThanTheBudgetGoesAlone() {
        let policy = RetentionPolicy(retentionNs: 1, batch: 10)
        let batch = policy.batch(runs: [], jobs: [job("big", runs: 50), job("next")])
        XCTAssertEqual(batch.jobIDs, ["big"])
        XCTAssertTrue(batch.full)
    }

    func testAPartialBatchIsNotFullAndNothingIsEmpty() {
        let policy = RetentionPolicy(retentionNs: 1, batch: 10)
        let batch = policy.batch(runs: runs(2), jobs: [job("a", runs: 1)])
        XCTAssertEqual(batch.jobIDs, ["a"])
        XCTAssertFalse(batch.full)
        XCTAssertTrue(policy.batch(runs: [], jobs: []).isEmpty)
    }

    func testABacklogPausesBrieflyOtherwiseItWaitsTheInterval() {
        let policy = RetentionPolicy(retentionNs: 1, interval: .seconds(60), backlogPause: .milliseconds(200))
        XCTAssertEqual(policy.delay(after: .purged(full: true)), .milliseconds(200))
        XCTAssertEqual(policy.delay(after: .purged(full: false)), .seconds(60))
        XCTAssertEqual(policy.delay(after: .nothing), .seconds(60))
    }

    func testFailuresBackOffDoublingUpToTheInterval() {
        let policy = RetentionPolicy(retentionNs: 1, interval: .seconds(10), firstBackoff: .seconds(1))
        XCTAssertEqual(
            (1...6).map { policy.delay(after: .failed(consecutive: $0)) },
            [.seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(10), .seconds(10)])
        XCTAssertEqual(policy.delay(after: .failed(consecutive: .max)), .seconds(10))
    }

    func testAShortIntervalBoundsThePauses() {
        let policy = RetentionPolicy(
            retentionNs: 1, interval: .milliseconds(50), backlogPause: .seconds(1),
            firstBackoff: .seconds(1))
        XCTAssertEqual(policy.delay(after: .purged(full: true)), .milliseconds(50))
        XCTAssertEqual(policy.delay(after: .failed(consecutive: 1)), .milliseconds(50))
    }
}

/// When the two retentions let dedupe end before `--idempotency-retention` says.
final class RetentionWarningTests: XCTestCase {
    private func warning(retention: Duration, keys: Duration) -> String? {
        var configuration = ShardConfiguration(dataDirectory: "/nonexistent")
        configuration.retention = retention
        configuration.idempotencyRetention = keys
        return configuration.retentionWarning
    }

    func testNoWarningWhenJobsOutliveTheirKeysOrAreKeptForever() {
        XCTAssertNil(warning(retention: .seconds(7 * 86400), keys: .seconds(86400)))
        XCTAssertNil(warning(retention: .seconds(86400), keys: .seconds(86400)))
        XCTAssertNil(warning(retention: .zero, keys: .zero))
        XCTAssertNil(warning(retention: .zero, keys: .seconds(86400)))
    }

    func testAShorterRetentionOrKeysKeptForeverWarnNamingBothFlags() throws {
        let shorter = try XCTUnwrap(warning(retention: .seconds(3600), keys: .seconds(86400)))
        XCTAssertTrue(shorter.contains("--retention (1h)") && shorter.contains("--idempotency-retention (1d)"), shorter)
        let forever = try XCTUnwrap(warning(retention: .seconds(3600), keys: .zero))
        XCTAssertTrue(forever.contains("(forever)"), forever)
    }
}
