import TockModel
import TockSQLite
import TockWire
import XCTest

@testable import TockShard

/// A snapshot taken after a purge is the tables as retention left them: a follower that installs it loses the
/// purged jobs (and their keys) as if it had applied the purge, and applying the purge after it deletes nothing.
extension ShardSnapshotTests {
    func testASnapshotAfterAPurgeInstallsWithoutThePurgedJobs() throws {
        let machine = JobStateMachine(shard: 0)
        let leader = try shard("same", jobs: 0..<20, applied: 42)
        let follower = try shard("follower", jobs: 0..<5, applied: 7)
        let purge = ShardCommand.purgeFinished(cutoffNs: 100, jobIDs: (0..<10).map { "same-\($0)" }, runs: [])
        try leader.transaction {
            for i in 0..<10 { _ = try machine.apply(.cancelJob(jobID: "same-\(i)", atNs: 50), in: leader) }
            XCTAssertEqual(try machine.apply(purge, in: leader), .purged(jobs: 10, runs: 0))
        }
        let file = path("42.snapshot")
        _ = try ShardSnapshot.capture(from: leader, into: file)
        try install(file, index: 42, into: follower)
        XCTAssertEqual(try dump(follower), try dump(leader))
        XCTAssertNil(try JobRows.find(idempotencyKey: "key-3", tenant: "", in: follower))
        XCTAssertEqual(
            try RetentionScan.jobs(before: .max, limit: 100, in: follower), [],
            "the finished-jobs index was rebuilt along")
        XCTAssertEqual(try follower.transaction { try machine.apply(purge, in: follower) }, .purged(jobs: 0, runs: 0))
    }
}
