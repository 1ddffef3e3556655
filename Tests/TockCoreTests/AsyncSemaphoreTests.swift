import TockConcurrency
import TockCore
import XCTest

final class AsyncSemaphoreTests: XCTestCase {
    func testAcquireTakesWhatIsFreeAndWaitsWhenNone() async {
        let semaphore = AsyncSemaphore(capacity: 3)
        let first = await semaphore.acquire(upTo: 2)
        let second = await semaphore.acquire(upTo: 5)
        XCTAssertEqual(first, 2)
        XCTAssertEqual(second, 1)
        XCTAssertEqual(semaphore.available, 0)
        async let waiting = semaphore.acquire(upTo: 2)
        semaphore.release(2)
        let granted = await waiting
        XCTAssertEqual(granted, 2)
        XCTAssertEqual(semaphore.available, 0)
    }
}

final class WakeupTests: XCTestCase {
    func testSignalBeforeWaitIsNotLost() async {
        let wakeup = Wakeup()
        wakeup.signal()
        let start = ContinuousClock.now
        await wakeup.wait(timeout: .seconds(30))
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(5))
    }

    func testWaitEndsAfterTimeoutWithoutSignal() async {
        let wakeup = Wakeup()
        let start = ContinuousClock.now
        await wakeup.wait(timeout: .milliseconds(50))
        XCTAssertGreaterThanOrEqual(ContinuousClock.now - start, .milliseconds(50))
    }

    func testSignalWakesAWaiter() async {
        let wakeup = Wakeup()
        async let woken: Void = wakeup.wait(timeout: .seconds(30))
        wakeup.signal()
        let start = ContinuousClock.now
        await woken
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(5))
    }
}
