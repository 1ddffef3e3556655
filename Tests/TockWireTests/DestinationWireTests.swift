import TockModel
import TockWire
import XCTest

/// A job's destination on the wire: a webhook is what a message without the field meant (older senders), a NATS
/// message travels whole, a timer carries no target, and a destination this version does not know is refused.
final class DestinationWireTests: XCTestCase {
    let message = NATSTarget(
        subject: "orders.expire", headers: [Header(name: "X-Order", value: "42", secret: true)], body: [0, 1, 2])

    func testEveryDestinationRoundTripsInAJobSpecAndAJobRun() throws {
        for destination in [Destination.webhook, .nats(message), .timer] {
            var spec = Fixtures.jobSpec()
            spec.destination = destination
            if destination != .webhook { spec.target = .empty }
            XCTAssertEqual(try JobSpec(decoding: spec.encoded()), spec, destination.name)
            var run = Fixtures.jobRun()
            run.destination = destination
            if destination != .webhook { run.target = .empty }
            XCTAssertEqual(try JobRun(decoding: run.encoded()), run, destination.name)
        }
    }

    func testANATSOrTimerRunIgnoresAnyWebhookTargetSent() throws {
        var run = Fixtures.jobRun()
        run.destination = .timer
        XCTAssertEqual(try JobRun(decoding: run.encoded()).target, .empty)
    }

    func testANATSDestinationWithoutItsMessageAndAnUnknownOneAreRefused() throws {
        var run = Fixtures.jobRun()
        run.destination = .nats(message)
        let bytes = run.encoded()
        // Field 14 (destination) = 1 (NATS) with field 15 (nats_target) missing: the encoding with the last field
        // cut, which is the nats_target written last.
        var timer = Fixtures.jobRun()
        timer.destination = .timer
        let withoutMessage = timer.encoded() + [0x70, 0x01]  // destination = NATS again, later value wins
        XCTAssertThrowsError(try JobRun(decoding: withoutMessage)) { error in
            XCTAssertEqual(error as? WireError, .missingField("JobRun.nats_target"))
        }
        XCTAssertThrowsError(try JobRun(decoding: bytes + [0x70, 0x07])) { error in
            XCTAssertEqual(error as? WireError, .missingField("JobRun.destination"))
        }
    }
}
