import Foundation
import TockCore
import XCTest

@testable import TockShard

/// The executors a node lists: what a heartbeat says while it is recent, nothing for what is not a heartbeat.
final class ExecutorRosterTests: XCTestCase {
    func beat(_ id: String, inFlight: Int = 3) -> [UInt8] {
        Array(
            try! JSONEncoder().encode(
                ExecutorHeartbeat(
                    id: id, inFlight: inFlight, concurrency: 64,
                    openCircuits: [.init(host: "a.example:443", state: "open")])))
    }

    func testARecentHeartbeatIsListedAndAnOldOneForgotten() {
        let roster = ExecutorRoster()
        let start = ContinuousClock.now
        roster.hear(beat("e2"), at: start)
        roster.hear(beat("e1", inFlight: 1), at: start)
        roster.hear(beat("e1", inFlight: 5), at: start + .seconds(1))
        XCTAssertEqual(roster.current(at: start + .seconds(2)).map(\.heartbeat.id), ["e1", "e2"])
        XCTAssertEqual(roster.current(at: start + .seconds(2)).first?.heartbeat.inFlight, 5, "the latest wins")
        XCTAssertEqual(roster.current(at: start + .seconds(10.5)).map(\.heartbeat.id), ["e1"])
        XCTAssertEqual(roster.current(at: start + .seconds(12)).map(\.heartbeat.id), [])
    }

    func testWhatIsNotAHeartbeatIsIgnored() {
        let roster = ExecutorRoster()
        for junk in [
            Array("not json".utf8), Array("{}".utf8),
            Array(#"{"id": "", "in_flight": 1, "concurrency": 1, "open_circuits": []}"#.utf8),
            beat(String(repeating: "x", count: 300)),
            Array(#"{"id": "big", "in_flight": 1, "concurrency": 1, "open_circuits": [], "pad": ""#.utf8)
                + Array(repeating: UInt8(ascii: "a"), count: 70_000) + Array(#""}"#.utf8),
        ] {
            roster.hear(junk)
        }
        XCTAssertEqual(roster.current().count, 0)
    }

    func testTheListIsBounded() {
        let roster = ExecutorRoster()
        for i in 0..<(ExecutorRoster.maxExecutors + 5) { roster.hear(beat("e\(i)")) }
        XCTAssertEqual(roster.current().count, ExecutorRoster.maxExecutors)
    }
}
