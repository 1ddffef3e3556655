import Synchronization
import TockCore
import XCTest

@testable import TockExecutor

final class HostCircuitBreakersTests: XCTestCase {
    final class ManualClock: WallClock {
        let now = Atomic<Int64>(1_000_000_000_000)
        func nowNs() -> Int64 { now.load(ordering: .relaxed) }
        func advance(_ duration: Duration) { now.add(duration.nanoseconds, ordering: .relaxed) }
    }

    func testEachHostHasItsOwnBreakerAndTheSnapshotListsOnlyTheOnesNotClosed() {
        let clock = ManualClock()
        let breakers = HostCircuitBreakers(
            policy: CircuitBreakerPolicy(failureThreshold: 2, coolDown: .seconds(10)),
            clock: clock)
        for _ in 0..<2 { breakers.record("down:80", hostFailed: true, probe: false) }
        breakers.record("flaky:80", hostFailed: true, probe: false)
        XCTAssertEqual(breakers.admit("down:80"), .deferFor(.seconds(10)))
        XCTAssertEqual(breakers.admit("flaky:80"), .call)
        XCTAssertEqual(breakers.admit("fine:80"), .call)
        XCTAssertEqual(
            breakers.snapshot(),
            [HostCircuitState(host: "down:80", phase: .open(coolDownLeft: .seconds(10)))])

        clock.advance(.seconds(10))
        XCTAssertEqual(breakers.snapshot(), [HostCircuitState(host: "down:80", phase: .halfOpen)])
        XCTAssertEqual(breakers.admit("down:80"), .probe)
        breakers.record("down:80", hostFailed: false, probe: true)
        XCTAssertEqual(breakers.snapshot(), [])
    }
}
