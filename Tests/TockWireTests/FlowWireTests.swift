import TockModel
import TockWire
import XCTest

/// A job's flow and the flow commands survive the wire, and "absent" stays absent.
final class FlowWireTests: XCTestCase {
    func testAJobSpecsFlowRoundTripsWithAndWithoutLimits() throws {
        for flow in [
            nil, Flow(key: "partner-a"), Flow(key: "p", limits: .unlimited),
            Flow(key: "p", limits: FlowLimits(rate: FlowRate(count: 50, periodNs: FlowRate.second))),
            Flow(key: "p", limits: FlowLimits(concurrency: 4)),
            Flow(key: "p", limits: FlowLimits(rate: FlowRate(count: 3, periodNs: FlowRate.hour), concurrency: 1)),
        ] {
            var spec = Fixtures.jobSpec()
            spec.flow = flow
            XCTAssertEqual(try JobSpec(decoding: spec.encoded()).flow, flow)
        }
    }

    func testFlowCommandsRoundTrip() throws {
        let flow = FlowID(tenant: "acme", key: "partner-a")
        for command in [
            ShardCommand.setFlow(flow, FlowLimits(rate: FlowRate(count: 20, periodNs: FlowRate.second)), atNs: 9),
            .setFlow(flow, .unlimited, atNs: .max),
            .setFlow(FlowID(tenant: "", key: "k"), FlowLimits(concurrency: 2), atNs: .min),
            .deleteFlow(flow, atNs: 5),
        ] {
            XCTAssertEqual(try ShardCommand(decoding: command.encoded()), command)
        }
    }

    func testAFlowWithAnEmptyKeyReadsAsNoFlow() throws {
        var spec = Fixtures.jobSpec()
        spec.flow = Flow(key: "", limits: FlowLimits(concurrency: 3))
        XCTAssertNil(try JobSpec(decoding: spec.encoded()).flow)
    }
}

/// What a flow's shard-paced retry needs on the wire: the run's flow key and earlier attempts, the retry outcome
/// and its time.
final class FlowRetryWireTests: XCTestCase {
    func testARunsFlowAndEarlierAttemptsRoundTrip() throws {
        var run = Fixtures.jobRun()
        run.recurring = false
        run.flowKey = "partner-a"
        run.attemptsBefore = 3
        let decoded = try JobRun(decoding: run.encoded())
        XCTAssertEqual(decoded.flowKey, "partner-a")
        XCTAssertEqual(decoded.attemptsBefore, 3)
        XCTAssertTrue(decoded.retriesThroughShard)
        run.recurring = true
        XCTAssertFalse(try JobRun(decoding: run.encoded()).retriesThroughShard, "a recurring run retries as before")
    }

    func testARetryCompletionRoundTrips() throws {
        var completion = Completion(
            jobID: "0-a", run: 2, shard: 0, outcome: .retry, httpStatus: 503, attempts: 2, startedAtNs: 1,
            finishedAtNs: 2, executorID: "e", error: "HTTP 503")
        completion.retryAtNs = 123_456
        let decoded = try Completion(decoding: completion.encoded())
        XCTAssertEqual(decoded.outcome, .retry)
        XCTAssertEqual(decoded.retryAtNs, 123_456)
        XCTAssertEqual(decoded, completion)
    }
}
