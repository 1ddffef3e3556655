import TockModel
import TockWire
import XCTest

@testable import TockShard

/// An idempotency key dedupes for the retention the create command carries, counted from its holder's creation.
extension JobStateMachineTests {
    func testAKeyWithinItsRetentionReturnsTheExistingJob() throws {
        _ = try apply(.createJob(spec("j1", key: "k"), createdAtNs: 100, idempotencyRetentionNs: 1000))
        // 999 ns later: still the same job.
        guard
            case .existing(let existing) = try apply(
                .createJob(spec("j2", key: "k"), createdAtNs: 1099, idempotencyRetentionNs: 1000))
        else { return XCTFail("not existing") }
        XCTAssertEqual(existing.id, "j1")
        XCTAssertNil(try job("j2"))
    }

    func testAnExpiredKeyCreatesANewJobAndTheOldOneRunsOnWithoutIt() throws {
        _ = try apply(.createJob(spec("j1", key: "k"), createdAtNs: 100, idempotencyRetentionNs: 1000))
        guard
            case .created(let new) = try apply(
                .createJob(spec("j2", key: "k"), createdAtNs: 1100, idempotencyRetentionNs: 1000))
        else { return XCTFail("not created") }
        XCTAssertEqual(new.idempotencyKey, "k")
        XCTAssertEqual(try JobRows.find(idempotencyKey: "k", tenant: "", in: db)?.id, "j2")

        let old = try XCTUnwrap(try job("j1"))
        XCTAssertEqual(old.idempotencyKey, "")
        XCTAssertEqual(old.state, .scheduled)
        XCTAssertEqual(old.updatedAtNs, 100, "losing the key is not a change of the job")
        // The old job still runs to completion.
        XCTAssertEqual(
            try apply(
                .markPublished([
                    PublishedRun(
                        jobID: "j1", run: 1, streamSequence: 1,
                        publishedAtNs: 1200)
                ])), .updated(1))
        XCTAssertEqual(try apply(.markDone([completion("j1", .succeeded, attempts: 1)], atNs: 1300)), .updated(1))
        XCTAssertEqual(try job("j1")?.state, .succeeded)

        // And the new holder dedupes in turn.
        guard
            case .existing(let again) = try apply(
                .createJob(spec("j3", key: "k"), createdAtNs: 1500, idempotencyRetentionNs: 1000))
        else { return XCTFail("not existing") }
        XCTAssertEqual(again.id, "j2")
    }

    func testTheRetentionComesFromTheCommandNotTheHolder() throws {
        // A leader with a longer retention (a changed flag, a new leader) decides by its own command's value.
        _ = try apply(.createJob(spec("j1", key: "k"), createdAtNs: 100, idempotencyRetentionNs: 10))
        guard
            case .existing = try apply(
                .createJob(spec("j2", key: "k"), createdAtNs: 500, idempotencyRetentionNs: 1000))
        else { return XCTFail("not existing") }
    }

    func testEntriesWithoutARetentionKeepKeysForever() throws {
        _ = try apply(.createJob(spec("j1", key: "k"), createdAtNs: 100))
        guard case .existing = try apply(.createJob(spec("j2", key: "k"), createdAtNs: .max)) else {
            return XCTFail("not existing")
        }
    }

    func testAnExpiredKeyRepeatedInABatchIsTakenByItsFirstJob() throws {
        _ = try apply(.createJob(spec("j1", key: "k"), createdAtNs: 100, idempotencyRetentionNs: 1000))
        guard
            case .batch(let results) = try apply(
                .createJobs(
                    [spec("b1", key: "k"), spec("b2", key: "k")],
                    createdAtNs: 5000, idempotencyRetentionNs: 1000))
        else { return XCTFail("not a batch") }
        guard case .created(let first) = results.first, case .existing(let second) = results.last else {
            return XCTFail("\(results)")
        }
        XCTAssertEqual(first.id, "b1")
        XCTAssertEqual(second.id, "b1")
    }

    func testExpiryIsOverflowSafe() {
        XCTAssertTrue(JobStateMachine.hasExpired(createdAtNs: .min, at: .max, retentionNs: .max))
        XCTAssertFalse(JobStateMachine.hasExpired(createdAtNs: .max, at: .min, retentionNs: 1))
        XCTAssertTrue(JobStateMachine.hasExpired(createdAtNs: 0, at: 10, retentionNs: 10))
        XCTAssertFalse(JobStateMachine.hasExpired(createdAtNs: 0, at: 9, retentionNs: 10))
    }
}
