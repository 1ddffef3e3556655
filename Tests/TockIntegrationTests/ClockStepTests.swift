import Foundation
import Synchronization
import TockCore
import TockTestSupport
import XCTest

/// What a shard does when its wall clock steps by an hour (NTP correcting a bad clock, a VM restored): no run is
/// published twice because of it, none is lost, and a recurring job carries on from the right occurrence. A real
/// shard, nats-server, executor and sink; only the shard's clock is stepped (injected), as the executor's is not
/// what schedules.
final class ClockStepTests: XCTestCase {
    final class SteppedClock: WallClock {
        private let offset = Atomic<Int64>(0)
        func nowNs() -> Int64 { SystemWallClock().nowNs() + offset.load(ordering: .relaxed) }
        func step(by duration: Duration) { offset.add(duration.nanoseconds, ordering: .relaxed) }
    }

    var tock: TockHarness!
    let clock = SteppedClock()

    override func setUp() async throws {
        tock = try await TockHarness.start(shard: false)
        try await tock.startShard(clock: clock)
    }

    override func tearDown() async throws {
        await tock?.shutdown()
    }

    func submit(_ json: String) async throws -> String {
        let reply = try await tock.submit(json)
        XCTAssertEqual(reply.status, 201, "\(reply.json)")
        return try XCTUnwrap(reply["id"]?.string)
    }

    func runs(of id: String) -> [String] { tock.sink.requests(forJob: id).map { $0.headers["tock-run"] ?? "" } }

    func assertNoRunCalledTwice(_ id: String, file: StaticString = #filePath, line: UInt = #line) {
        let runs = runs(of: id)
        XCTAssertEqual(runs.count, Set(runs).count, "a run called twice: \(runs)", file: file, line: line)
    }

    func testAStepForwardRunsWhatFellDueOnceAndARecurringJobCarriesOnFromNow() async throws {
        let later = try await submit(#"{"url": "\#(tock.sink.baseURL)/ok", "delay": "30m"}"#)
        let everySecond = try await submit(
            #"""
            {"url": "\#(tock.sink.baseURL)/ok", "schedule": {"cron": "* * * * * *"}}
            """#)
        _ = try await eventually("the recurring job to run twice") { runs(of: everySecond).count >= 2 ? true : nil }

        clock.step(by: .seconds(3600))
        let stepped = ContinuousClock.now
        _ = try await tock.waitForState(later, "succeeded")
        XCTAssertEqual(runs(of: later), ["1"], "the job the step made due runs once")
        let before = runs(of: everySecond).count
        _ = try await eventually("the recurring job to run on after the step") {
            runs(of: everySecond).count >= before + 2 ? true : nil
        }
        let seconds = Double((ContinuousClock.now - stepped).components.seconds) + 1
        // An hour of missed occurrences collapses into one run (misfire run_once), then one a second again.
        XCTAssertLessThanOrEqual(
            Double(runs(of: everySecond).count - before), seconds + 2,
            "the missed hour was not replayed")
        assertNoRunCalledTwice(everySecond)
    }

    func testAStepBackHoldsWhatIsDueUntilTheClockGetsThereAndRunsNothingTwice() async throws {
        let soon = try await submit(#"{"url": "\#(tock.sink.baseURL)/ok", "delay": "3s"}"#)
        let everySecond = try await submit(
            #"""
            {"url": "\#(tock.sink.baseURL)/ok", "schedule": {"cron": "* * * * * *"}}
            """#)
        _ = try await eventually("the recurring job to run twice") { runs(of: everySecond).count >= 2 ? true : nil }

        clock.step(by: .seconds(-3600))
        // Whatever was published before the step may still arrive; after that, nothing is due for an hour.
        try await Task.sleep(for: .seconds(2))
        let held = runs(of: everySecond).count
        try await Task.sleep(for: .seconds(3))
        XCTAssertEqual(runs(of: everySecond).count, held, "no occurrence runs again while the clock repeats the hour")
        XCTAssertEqual(runs(of: soon), [], "due in 3 s by the old clock: an hour away by the new one")

        clock.step(by: .seconds(3600))
        _ = try await tock.waitForState(soon, "succeeded")
        XCTAssertEqual(runs(of: soon), ["1"])
        _ = try await eventually("the recurring job to run on once the clock is back") {
            runs(of: everySecond).count >= held + 2 ? true : nil
        }
        assertNoRunCalledTwice(everySecond)
    }
}
