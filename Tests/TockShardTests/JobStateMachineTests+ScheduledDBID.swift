import TockModel
import TockWire
import XCTest

@testable import TockShard

/// A scheduled-db id (the key of a job created through scheduled-db's API) names its job while the job is live,
/// whatever the idempotency retention: a create with it answers that job; once it has finished or been cancelled
/// the id is free and a create makes the new job that takes it. Never two live jobs under one id.
extension JobStateMachineTests {
    func scheduledDBSpec(_ id: String, key: String, recurring: Bool = false) -> JobSpec {
        var spec = spec(id, key: key)
        spec.webhookFormat = .scheduledDB
        if recurring { spec.schedule = Schedule(cron: "0 9 * * *") }
        return spec
    }

    func testALiveJobKeepsItsScheduledDBIDLongAfterTheRetention() throws {
        _ = try apply(
            .createJob(
                scheduledDBSpec("0-a", key: "order-42", recurring: true), createdAtNs: 100, idempotencyRetentionNs: 10))
        // A day of retentions later, still the same job, and no second one.
        guard
            case .existing(let existing) = try apply(
                .createJob(
                    scheduledDBSpec("0-b", key: "order-42", recurring: true), createdAtNs: 1_000_000,
                    idempotencyRetentionNs: 10))
        else { return XCTFail("a second job was made") }
        XCTAssertEqual(existing.id, "0-a")
        XCTAssertNil(try job("0-b"))
        XCTAssertEqual(try JobRows.find(idempotencyKey: "order-42", tenant: "", in: db)?.id, "0-a")
    }

    func testAFinishedOrCancelledJobFreesItsScheduledDBID() throws {
        _ = try apply(.createJob(scheduledDBSpec("0-a", key: "k"), createdAtNs: 100, idempotencyRetentionNs: 10))
        XCTAssertEqual(try apply(.markDone([completion("0-a", .succeeded, attempts: 1)], atNs: 200)), .updated(1))
        guard case .created(let second) = try apply(.createJob(scheduledDBSpec("0-b", key: "k"), createdAtNs: 300))
        else { return XCTFail("the finished job kept its id") }
        XCTAssertEqual(second.idempotencyKey, "k")
        XCTAssertEqual(try job("0-a")?.idempotencyKey, "", "the finished job gave up the id")

        _ = try apply(.cancelJob(jobID: "0-b", atNs: 400))
        guard case .created(let third) = try apply(.createJob(scheduledDBSpec("0-c", key: "k"), createdAtNs: 500))
        else { return XCTFail("the cancelled job kept its id") }
        XCTAssertEqual(third.id, "0-c")
        XCTAssertEqual(try JobRows.find(idempotencyKey: "k", tenant: "", in: db)?.id, "0-c")
    }

    func testTocksOwnKeysStillExpireWithTheirRetention() throws {
        _ = try apply(.createJob(spec("0-a", key: "k"), createdAtNs: 100, idempotencyRetentionNs: 10))
        guard case .created = try apply(.createJob(spec("0-b", key: "k"), createdAtNs: 200, idempotencyRetentionNs: 10))
        else { return XCTFail("a Tock key outlived its retention") }
    }
}
