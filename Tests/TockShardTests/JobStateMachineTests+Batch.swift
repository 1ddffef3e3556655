import TockModel
import TockWire
import XCTest

@testable import TockShard

/// `createJobs`: one command, each job's own outcome, applied in order in one transaction.
extension JobStateMachineTests {
    func testABatchCreatesEachJobAndDedupesKeysSeenBeforeAndWithinIt() throws {
        _ = try apply(.createJob(spec("old", key: "stored"), createdAtNs: 50))
        let result = try apply(
            .createJobs(
                [
                    spec("b1", key: "fresh"),
                    spec("b2", key: "stored"),
                    spec("b3"),
                    spec("b4", key: "fresh"),
                    spec("b5"),
                ], createdAtNs: 100, idempotencyRetentionNs: 1000))
        guard case .batch(let results) = result else { return XCTFail("not a batch: \(result)") }
        XCTAssertEqual(results.count, 5)
        let outcomes = results.map { result -> String in
            switch result {
            case .created(let job): "created \(job.id)"
            case .existing(let job): "existing \(job.id)"
            default: "\(result)"
            }
        }
        XCTAssertEqual(outcomes, ["created b1", "existing old", "created b3", "existing b1", "created b5"])
        XCTAssertNil(try job("b2"))
        XCTAssertNil(try job("b4"))
        XCTAssertEqual(try job("b5")?.createdAtNs, 100)
        // Every new job goes to the due-timer, once; the existing ones were scheduled when they were created.
        XCTAssertEqual(result.newlyDue.map(\.jobID), ["b1", "b3", "b5"])
    }

    func testApplyingABatchTwiceChangesNothing() throws {
        let command = ShardCommand.createJobs([spec("b1", key: "k"), spec("b2")], createdAtNs: 100)
        _ = try apply(command)
        let before = try [job("b1"), job("b2")]
        guard case .batch(let again) = try apply(command) else { return XCTFail("not a batch") }
        XCTAssertEqual(again, before.map { .existing($0!) })
        XCTAssertEqual(try [job("b1"), job("b2")], before)
    }

    func testAnEmptyBatchIsAnEmptyResult() throws {
        XCTAssertEqual(try apply(.createJobs([], createdAtNs: 100)), .batch([]))
    }
}
