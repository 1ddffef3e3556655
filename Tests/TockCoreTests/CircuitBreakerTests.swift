import TockCore
import XCTest

final class CircuitBreakerTests: XCTestCase {
    let second: Int64 = 1_000_000_000
    let policy = CircuitBreakerPolicy(failureThreshold: 3, coolDown: .seconds(30), probeWait: .seconds(1))

    func failures(_ n: Int, _ breaker: inout CircuitBreaker, at now: Int64) {
        for _ in 0..<n {
            XCTAssertEqual(breaker.admit(nowNs: now), .call)
            breaker.record(hostFailed: true, probe: false, nowNs: now)
        }
    }

    func testOpensAfterThresholdConsecutiveFailuresAndDefersForTheRestOfTheCoolDown() {
        var breaker = CircuitBreaker(policy: policy)
        failures(2, &breaker, at: 0)
        XCTAssertEqual(breaker.state, .closed(consecutiveFailures: 2))
        XCTAssertNil(breaker.deferral(nowNs: 0))
        failures(1, &breaker, at: 5 * second)
        XCTAssertEqual(breaker.state, .open(untilNs: 35 * second))
        XCTAssertEqual(breaker.admit(nowNs: 10 * second), .deferFor(.seconds(25)))
        XCTAssertEqual(breaker.deferral(nowNs: 34 * second), .seconds(1))
        XCTAssertEqual(breaker.state, .open(untilNs: 35 * second), "deferring changes nothing")
    }

    func testASuccessResetsTheCountSoOnlyConsecutiveFailuresOpen() {
        var breaker = CircuitBreaker(policy: policy)
        failures(2, &breaker, at: 0)
        breaker.record(hostFailed: false, probe: false, nowNs: 0)
        XCTAssertTrue(breaker.isAtRest)
        failures(2, &breaker, at: 0)
        XCTAssertEqual(breaker.state, .closed(consecutiveFailures: 2))
    }

    func testAfterTheCoolDownOneProbeAtATimeAndItsSuccessCloses() {
        var breaker = CircuitBreaker(policy: policy)
        failures(3, &breaker, at: 0)
        XCTAssertEqual(breaker.admit(nowNs: 30 * second), .probe)
        XCTAssertEqual(breaker.state, .halfOpen(probeInFlight: true))
        XCTAssertEqual(breaker.admit(nowNs: 31 * second), .deferFor(.seconds(1)), "one probe at a time")
        XCTAssertEqual(breaker.deferral(nowNs: 31 * second), .seconds(1))
        // A call admitted before the breaker opened finishes now: it says nothing about the host now.
        breaker.record(hostFailed: false, probe: false, nowNs: 31 * second)
        XCTAssertEqual(breaker.state, .halfOpen(probeInFlight: true))
        breaker.record(hostFailed: false, probe: true, nowNs: 32 * second)
        XCTAssertTrue(breaker.isAtRest)
        XCTAssertEqual(breaker.admit(nowNs: 32 * second), .call)
    }

    func testAFailedProbeReopensForAWholeCoolDown() {
        var breaker = CircuitBreaker(policy: policy)
        failures(3, &breaker, at: 0)
        XCTAssertEqual(breaker.admit(nowNs: 40 * second), .probe)
        breaker.record(hostFailed: true, probe: true, nowNs: 45 * second)
        XCTAssertEqual(breaker.state, .open(untilNs: 75 * second))
        XCTAssertEqual(breaker.admit(nowNs: 45 * second), .deferFor(.seconds(30)))
        XCTAssertEqual(breaker.admit(nowNs: 75 * second), .probe)
    }

    func testOutcomesOfCallsAdmittedBeforeItOpenedDoNotExtendTheCoolDown() {
        var breaker = CircuitBreaker(policy: policy)
        failures(3, &breaker, at: 0)
        breaker.record(hostFailed: true, probe: false, nowNs: 20 * second)
        XCTAssertEqual(breaker.state, .open(untilNs: 30 * second))
    }

    func testAnAbandonedProbeLetsTheNextRunProbe() {
        var breaker = CircuitBreaker(policy: policy)
        failures(3, &breaker, at: 0)
        XCTAssertEqual(breaker.admit(nowNs: 30 * second), .probe)
        breaker.abandonProbe()
        XCTAssertEqual(breaker.state, .halfOpen(probeInFlight: false))
        XCTAssertNil(breaker.deferral(nowNs: 30 * second))
        XCTAssertEqual(breaker.admit(nowNs: 30 * second), .probe)
    }

    func testProbeWaitIsNeverLongerThanTheCoolDown() {
        XCTAssertEqual(CircuitBreakerPolicy(coolDown: .milliseconds(200)).probeWait, .milliseconds(200))
    }
}
