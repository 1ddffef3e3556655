import TockCore
import XCTest

final class DueQueueTests: XCTestCase {
    func testPopsOnlyDueEntriesEarliestFirst() {
        var queue = DueQueue()
        for (due, id) in [(30, "c"), (10, "a"), (20, "b"), (40, "d")] {
            queue.insert(DueEntry(dueAtNs: Int64(due), jobID: id, run: 1))
        }
        XCTAssertEqual(queue.nextDueNs, 10)
        XCTAssertEqual(queue.popDue(nowNs: 25, limit: 10).map(\.jobID), ["a", "b"])
        XCTAssertEqual(queue.nextDueNs, 30)
        XCTAssertEqual(queue.popDue(nowNs: 100, limit: 1).map(\.jobID), ["c"])
        XCTAssertEqual(queue.count, 1)
    }

    func testHeapOrderHoldsForManyRandomEntries() {
        var generator = SystemRandomNumberGenerator()
        var queue = DueQueue()
        var dues: [Int64] = []
        for i in 0..<5_000 {
            let due = Int64.random(in: 0..<1_000_000, using: &generator)
            dues.append(due)
            queue.insert(DueEntry(dueAtNs: due, jobID: "\(i)", run: 1))
        }
        let popped = queue.popDue(nowNs: .max, limit: .max).map(\.dueAtNs)
        XCTAssertEqual(popped, dues.sorted())
        XCTAssertTrue(queue.isEmpty)
    }
}
