import TockCore
import TockModel
import XCTest

/// A job's `flow` and the body of `PUT /v1/flows/{key}`: what is taken, and the field named when it is not.
final class JobRequestFlowTests: XCTestCase {
    func parse(_ flow: String) throws(FieldError) -> JobSpec {
        try JobRequest.parse(json: Array(#"{"url": "http://h/p", "flow": \#(flow)}"#.utf8), nowNs: 1_000)
    }

    func field(_ flow: String) -> String? {
        do {
            _ = try parse(flow)
            return nil
        } catch {
            return error.field
        }
    }

    func testAFlowWithLimitsSetsThemAndOneWithOnlyAKeyLeavesThem() throws {
        XCTAssertEqual(
            try parse(#"{"key": "partner-a", "rate": "50/s", "concurrency": 4}"#).flow,
            Flow(
                key: "partner-a",
                limits: FlowLimits(rate: FlowRate(count: 50, periodNs: FlowRate.second), concurrency: 4)))
        XCTAssertEqual(
            try parse(#"{"key": "k", "rate": "600/m"}"#).flow,
            Flow(key: "k", limits: FlowLimits(rate: FlowRate(count: 600, periodNs: FlowRate.minute))))
        XCTAssertEqual(try parse(#"{"key": "k", "concurrency": 1}"#).flow?.limits, FlowLimits(concurrency: 1))
        XCTAssertEqual(try parse(#"{"key": "a.b:c@d_e-f", "rate": "3/h"}"#).flow?.limits?.rate?.description, "3/h")
        XCTAssertEqual(try parse(#"{"key": "k"}"#).flow, Flow(key: "k"))
        XCTAssertEqual(try parse(#"{"key": "k", "rate": null}"#).flow, Flow(key: "k"))
        XCTAssertNil(try parse("null").flow)
    }

    func testBadFlowsNameTheirField() {
        XCTAssertEqual(field(#"{"rate": "5/s"}"#), "flow.key")
        XCTAssertEqual(field(#"{"key": ""}"#), "flow.key")
        XCTAssertEqual(field(#"{"key": "a b"}"#), "flow.key")
        XCTAssertEqual(field(#"{"key": "a/b"}"#), "flow.key")
        XCTAssertEqual(field(#"{"key": "\#(String(repeating: "k", count: 129))"}"#), "flow.key")
        XCTAssertEqual(field(#"{"key": 5}"#), "flow.key")
        for rate in ["5/x", "0/s", "-1/s", "1000001/s", "5", "/s", "5/s/s", "five/s", " 5/s"] {
            XCTAssertEqual(field(#"{"key": "k", "rate": "\#(rate)"}"#), "flow.rate", rate)
        }
        XCTAssertEqual(field(#"{"key": "k", "rate": 5}"#), "flow.rate")
        for concurrency in ["0", "100001", "-1", "\"2\"", "1.5"] {
            XCTAssertEqual(field(#"{"key": "k", "concurrency": \#(concurrency)}"#), "flow.concurrency", concurrency)
        }
        XCTAssertEqual(field(#"{"key": "k", "burst": 3}"#), "flow.burst")
        XCTAssertEqual(field(#""k""#), "flow")
    }

    func testTheFlowAPIsBodyTakesEitherLimit() throws {
        XCTAssertEqual(try JobRequest.parseFlowLimits(json: Array("{}".utf8)), .unlimited)
        XCTAssertEqual(
            try JobRequest.parseFlowLimits(json: Array(#"{"rate": "20/s", "concurrency": 2}"#.utf8)),
            FlowLimits(rate: FlowRate(count: 20, periodNs: FlowRate.second), concurrency: 2))
        XCTAssertThrowsError(try JobRequest.parseFlowLimits(json: Array(#"{"rate": "20/d"}"#.utf8))) {
            XCTAssertEqual(($0 as? FieldError)?.field, "rate")
        }
        XCTAssertThrowsError(try JobRequest.parseFlowLimits(json: Array(#"{"key": "k"}"#.utf8))) {
            XCTAssertEqual(($0 as? FieldError)?.field, "key")
        }
    }

    func testAProtobufSubmitsFlowIsCheckedByTheSameRules() {
        var spec = JobSpec(
            id: "", priority: .normal, target: HTTPTarget(url: "http://h/p", method: "POST", headers: [], body: []),
            timeoutMs: 0, maxAttempts: 0, idempotencyKey: "", dueAtNs: 0)
        spec.flow = Flow(key: "k", limits: FlowLimits(concurrency: 0))
        XCTAssertThrowsError(try JobRequest.validate(spec, nowNs: 1_000)) {
            XCTAssertEqual(($0 as? FieldError)?.field, "flow.concurrency")
        }
        spec.flow = Flow(key: "bad key")
        XCTAssertThrowsError(try JobRequest.validate(spec, nowNs: 1_000)) {
            XCTAssertEqual(($0 as? FieldError)?.field, "flow.key")
        }
        spec.flow = Flow(key: "k", limits: FlowLimits(rate: FlowRate(count: 5, periodNs: 7)))
        XCTAssertThrowsError(try JobRequest.validate(spec, nowNs: 1_000)) {
            XCTAssertEqual(($0 as? FieldError)?.field, "flow.rate")
        }
    }
}
