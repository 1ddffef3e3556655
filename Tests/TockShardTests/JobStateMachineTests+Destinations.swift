import TockModel
import TockWire
import XCTest

@testable import TockShard

/// A job whose runs publish a NATS message, or that is a timer, is stored and read back whole, its runs carry it,
/// and a completion ends it as it ends a webhook job.
extension JobStateMachineTests {
    func spec(_ id: String, destination: Destination) -> JobSpec {
        var spec = spec(id)
        spec.target = .empty
        spec.destination = destination
        return spec
    }

    func testNATSAndTimerJobsAreStoredWholeAndTheirRunsCarryThem() throws {
        let message = NATSTarget(
            subject: "orders.expire", headers: [Header(name: "X-Order", value: "42")], body: Array("{}".utf8))
        for (id, destination) in [("0-nats", Destination.nats(message)), ("0-timer", .timer)] {
            guard
                case .created(let created) = try apply(.createJob(spec(id, destination: destination), createdAtNs: 100))
            else { return XCTFail("\(id) not created") }
            XCTAssertEqual(created.destination, destination, id)
            XCTAssertEqual(created.target, .empty, id)
            let run = created.jobRun(publishedAtNs: 600)
            XCTAssertEqual(run.destination, destination, id)
            XCTAssertEqual(try JobRun(decoding: run.encoded()).destination, destination, id)
            XCTAssertEqual(
                try apply(.markDone([completion(id, .succeeded, attempts: 1)], atNs: 700)), .updated(1), id)
            XCTAssertEqual(try job(id)?.state, .succeeded, id)
            XCTAssertEqual(try job(id)?.destination, destination, id)
        }
        let view = JobView(try XCTUnwrap(try job("0-nats")))
        XCTAssertEqual(view.destination, "nats")
        XCTAssertEqual(view.nats?.subject, "orders.expire")
        XCTAssertEqual(view.nats?.headers, ["X-Order": "42"])
        XCTAssertEqual(view.url, "")
        XCTAssertEqual(JobView(try XCTUnwrap(try job("0-timer"))).destination, "timer")
        XCTAssertNil(JobView(try XCTUnwrap(try job("0-timer"))).nats)
    }

    func testAStoredDestinationThisVersionDoesNotKnowIsAnErrorNotAWebhook() throws {
        _ = try apply(.createJob(spec("0-x"), createdAtNs: 100))
        try db.execute("UPDATE jobs SET destination = 'carrier-pigeon' WHERE id = '0-x'")
        XCTAssertThrowsError(try job("0-x"))
    }

    func testACreateCommandNamingAForbiddenSubjectIsRefusedOnEveryReplica() throws {
        let forged = spec("0-forged", destination: .nats(NATSTarget(subject: "tock.done.0", headers: [], body: [])))
        guard case .rejected(let problem) = try apply(.createJob(forged, createdAtNs: 100)) else {
            return XCTFail("stored")
        }
        XCTAssertEqual(problem.field, "nats.subject")
        XCTAssertNil(try job("0-forged"))
    }
}
