import Synchronization
import TockCore
import XCTest

final class HostConcurrencyLimiterTests: XCTestCase {
    func testAThirdCallerForAHostAtItsCapWaitsUntilASlotIsReleased() async throws {
        let limiter = HostConcurrencyLimiter(limitPerHost: 2)
        try await limiter.acquire("a:80")
        try await limiter.acquire("a:80")
        let third = Task { try await limiter.acquire("a:80") }
        try await waitUntil("the third caller queues") { limiter.waiting("a:80") == 1 }
        XCTAssertEqual(limiter.inUse("a:80"), 2)

        // Another host is not held up by this one.
        try await limiter.acquire("b:80")
        XCTAssertEqual(limiter.inUse("b:80"), 1)

        limiter.release("a:80")
        try await third.value
        XCTAssertEqual(limiter.inUse("a:80"), 2, "the slot went straight to the waiter")
        XCTAssertEqual(limiter.waiting("a:80"), 0)

        for host in ["a:80", "a:80", "b:80"] { limiter.release(host) }
        XCTAssertEqual(limiter.trackedHosts, 0, "idle hosts are forgotten")
    }

    func testTheCapHoldsUnderContention() async throws {
        let limiter = HostConcurrencyLimiter(limitPerHost: 3)
        let gauge = Gauge()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<200 {
                group.addTask {
                    try await limiter.acquire("h:443")
                    gauge.enter()
                    for _ in 0..<5 { await Task.yield() }
                    gauge.leave()
                    limiter.release("h:443")
                }
            }
            try await group.waitForAll()
        }
        XCTAssertLessThanOrEqual(gauge.most, 3)
        XCTAssertEqual(limiter.trackedHosts, 0)
    }

    func testCancellingAWaiterGivesUpItsPlaceAndTakesNoSlot() async throws {
        let limiter = HostConcurrencyLimiter(limitPerHost: 1)
        try await limiter.acquire("a:80")
        let waiter = Task { try await limiter.acquire("a:80") }
        try await waitUntil("the waiter queues") { limiter.waiting("a:80") == 1 }
        waiter.cancel()
        do {
            try await waiter.value
            XCTFail("a cancelled waiter must not get the slot")
        } catch is CancellationError {}
        XCTAssertEqual(limiter.waiting("a:80"), 0)
        limiter.release("a:80")
        XCTAssertEqual(limiter.trackedHosts, 0)
    }

    /// Waits, bounded, for another task to reach a state the limiter reports.
    private func waitUntil(_ what: String, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition() {
            guard ContinuousClock.now < deadline else {
                XCTFail("timed out waiting for \(what)")
                throw CancellationError()
            }
            await Task.yield()
        }
    }
}

/// How many holders are inside at once, and the most there ever were.
private final class Gauge: Sendable {
    private let state = Mutex((now: 0, most: 0))

    func enter() {
        state.withLock {
            $0.now += 1
            $0.most = max($0.most, $0.now)
        }
    }
    func leave() { state.withLock { $0.now -= 1 } }
    var most: Int { state.withLock { $0.most } }
}
