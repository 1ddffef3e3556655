import TockCore
import XCTest

final class BreakerDeferralsTests: XCTestCase {
    let minute: Int64 = 60_000_000_000

    func testCountsPerRunUntilForgotten() {
        var deferrals = BreakerDeferrals()
        deferrals.recordDeferral(of: "j1/1", nowNs: 0)
        deferrals.recordDeferral(of: "j1/1", nowNs: minute)
        deferrals.recordDeferral(of: "j2/1", nowNs: minute)
        XCTAssertEqual(deferrals.deferrals(of: "j1/1", nowNs: minute), 2)
        XCTAssertEqual(deferrals.deferrals(of: "j1/2", nowNs: minute), 0, "another run of the same job")
        deferrals.forget("j1/1")
        XCTAssertEqual(deferrals.deferrals(of: "j1/1", nowNs: minute), 0)
        XCTAssertEqual(deferrals.count, 1)
    }

    func testEntriesUntouchedForTheRetentionArePruned() {
        var deferrals = BreakerDeferrals(retention: .seconds(600))
        deferrals.recordDeferral(of: "old/1", nowNs: 0)
        deferrals.recordDeferral(of: "read/1", nowNs: 0)
        _ = deferrals.deferrals(of: "read/1", nowNs: 8 * minute)  // a run still in play keeps its count
        deferrals.prune(nowNs: 11 * minute)
        XCTAssertEqual(deferrals.deferrals(of: "old/1", nowNs: 11 * minute), 0)
        XCTAssertEqual(deferrals.deferrals(of: "read/1", nowNs: 11 * minute), 1)
    }

    func testRecordingPrunesOnItsOwnAsTheTableGrows() {
        var deferrals = BreakerDeferrals(retention: .seconds(60))
        for i in 0..<1024 { deferrals.recordDeferral(of: "stale-\(i)/1", nowNs: 0) }
        XCTAssertEqual(deferrals.count, 1024)
        deferrals.recordDeferral(of: "fresh/1", nowNs: 10 * minute)
        XCTAssertEqual(deferrals.count, 1)
    }
}
