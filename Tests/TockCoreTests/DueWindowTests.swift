import TockCore
import XCTest

final class DueWindowTests: XCTestCase {
    let second: Int64 = 1_000_000_000

    func entry(_ dueS: Int64, _ id: String) -> DueEntry { DueEntry(dueAtNs: dueS * second, jobID: id, run: 1) }

    func testTheFirstScanReadsFromTheStartToOneSpanAhead() throws {
        var window = DueWindow(span: .seconds(60), capacity: 100)
        let scan = try XCTUnwrap(window.nextScan(nowNs: 1000 * second, held: 0))
        XCTAssertEqual(scan, DueWindow.Scan(from: .lowest, untilNs: 1060 * second, limit: 100))
        XCTAssertNil(window.nextScan(nowNs: 1000 * second, held: 0), "one scan at a time")
        let held = window.finish(scan, rows: [entry(999, "a"), entry(1030, "b")], held: 0)
        XCTAssertEqual(held.map(\.jobID), ["a", "b"])
        XCTAssertEqual(window.horizon, .start(of: 1060 * second))
    }

    func testRunsBeyondTheHorizonAreLeftForALaterScan() throws {
        var window = DueWindow(span: .seconds(60), capacity: 100)
        let scan = try XCTUnwrap(window.nextScan(nowNs: 1000 * second, held: 0))
        _ = window.finish(scan, rows: [], held: 0)
        XCTAssertTrue(window.admit(entry(1059, "a").key, held: 0))
        XCTAssertFalse(window.admit(entry(1060, "b").key, held: 0))
        XCTAssertFalse(window.admit(entry(5000, "c").key, held: 0))
    }

    func testWhileAScanRunsRunsBelowItsEndAreAccepted() throws {
        var window = DueWindow(span: .seconds(60), capacity: 100)
        _ = window.finish(try XCTUnwrap(window.nextScan(nowNs: 1000 * second, held: 0)), rows: [], held: 0)
        // Half a span later the horizon (1060 s) is close: the next scan reads up to 1090 s.
        let scan = try XCTUnwrap(window.nextScan(nowNs: 1030 * second, held: 0))
        XCTAssertEqual(scan.from, .start(of: 1060 * second))
        // Committed after the scan's read began: the scan may miss it, so the heap must take it.
        XCTAssertTrue(window.admit(entry(1070, "late").key, held: 0))
        XCTAssertFalse(window.admit(entry(1090, "beyond").key, held: 0))
        _ = window.finish(scan, rows: [], held: 0)
        XCTAssertEqual(window.horizon, .start(of: 1090 * second))
    }

    func testNoScanUntilTheHorizonIsWithinHalfASpan() throws {
        var window = DueWindow(span: .seconds(60), capacity: 100)
        _ = window.finish(try XCTUnwrap(window.nextScan(nowNs: 1000 * second, held: 0)), rows: [], held: 0)
        XCTAssertNil(window.nextScan(nowNs: 1029 * second, held: 0))
        XCTAssertEqual(window.nextScanNs(held: 0), 1030 * second)
        XCTAssertNotNil(window.nextScan(nowNs: 1030 * second, held: 0))
    }

    func testAScanThatStopsAtItsLimitResumesAtItsLastRowEvenWhenManyShareADueTime() throws {
        var window = DueWindow(span: .seconds(60), capacity: 4)
        let first = try XCTUnwrap(window.nextScan(nowNs: 1000 * second, held: 0))
        XCTAssertEqual(first.limit, 4)
        let rows = ["a", "b", "c", "d"].map { entry(1010, $0) }
        XCTAssertEqual(window.finish(first, rows: rows, held: 0).map(\.jobID), ["a", "b", "c"])
        XCTAssertEqual(window.horizon, DueKey(dueAtNs: 1010 * second, jobID: "d"))
        XCTAssertNil(window.nextScan(nowNs: 1000 * second, held: 3), "no room for a useful scan")
        // Drained to half: refill at once, though the horizon is not yet close in time.
        let next = try XCTUnwrap(window.nextScan(nowNs: 1000 * second, held: 1))
        XCTAssertEqual(next.from, DueKey(dueAtNs: 1010 * second, jobID: "d"))
        XCTAssertEqual(next.limit, 3)
        XCTAssertEqual(
            window.finish(next, rows: [entry(1010, "d"), entry(1011, "e")], held: 1).map(\.jobID), ["d", "e"])
        XCTAssertEqual(window.horizon, .start(of: 1060 * second))
    }

    func testAFullWindowRefusesARunAndMovesItsHorizonBackToIt() throws {
        var window = DueWindow(span: .seconds(60), capacity: 4)
        _ = window.finish(try XCTUnwrap(window.nextScan(nowNs: 1000 * second, held: 0)), rows: [], held: 0)
        XCTAssertFalse(window.admit(entry(1040, "x").key, held: 4))
        XCTAssertEqual(window.horizon, entry(1040, "x").key)
        XCTAssertFalse(window.admit(entry(1050, "y").key, held: 1), "beyond the lowered horizon")
        let scan = try XCTUnwrap(window.nextScan(nowNs: 1000 * second, held: 1))
        XCTAssertEqual(scan.from, entry(1040, "x").key)
    }

    func testARunRefusedDuringAScanPullsTheHorizonBackWhenTheScanEnds() throws {
        var window = DueWindow(span: .seconds(60), capacity: 4)
        let scan = try XCTUnwrap(window.nextScan(nowNs: 1000 * second, held: 0))
        XCTAssertFalse(window.admit(entry(1020, "x").key, held: 4))
        _ = window.finish(scan, rows: [entry(1001, "a")], held: 0)
        XCTAssertEqual(window.horizon, entry(1020, "x").key)
    }

    func testAnAbandonedScanKeepsTheHorizon() throws {
        var window = DueWindow(span: .seconds(60), capacity: 100)
        _ = window.finish(try XCTUnwrap(window.nextScan(nowNs: 1000 * second, held: 0)), rows: [], held: 0)
        let scan = try XCTUnwrap(window.nextScan(nowNs: 1040 * second, held: 0))
        window.abandon(scan)
        XCTAssertEqual(window.horizon, .start(of: 1060 * second))
        XCTAssertEqual(try XCTUnwrap(window.nextScan(nowNs: 1040 * second, held: 0)), scan)
    }

    func testRowsBeyondTheRoomLeftAfterTheScanWaitForTheNextScan() throws {
        var window = DueWindow(span: .seconds(60), capacity: 4)
        let scan = try XCTUnwrap(window.nextScan(nowNs: 1000 * second, held: 0))
        // Two runs were admitted while the scan ran: room for two of its three rows.
        let rows = [entry(1001, "a"), entry(1002, "b"), entry(1003, "c")]
        XCTAssertEqual(window.finish(scan, rows: rows, held: 2).map(\.jobID), ["a", "b"])
        XCTAssertEqual(window.horizon, entry(1003, "c").key)
    }

    /// A model of the publisher and the job table: runs are created (some while a scan's read is in flight), the
    /// window is refilled, due runs are taken. Every run must be taken, none left out of the heap after its due
    /// time while the window has room, and the heap must never pass the capacity.
    func testRandomSchedulesNeverLoseARun() {
        for seed in UInt64(1)...100 {
            var model = WindowModel(seed: seed, capacity: [4, 16, 1000][Int(seed % 3)])
            for _ in 0..<300 {
                model.createSome()
                model.refill(commitsDuringScan: true)
                XCTAssertLessThanOrEqual(model.heap.count, model.window.capacity, "seed \(seed)")
                let step = Int64.random(in: 0...2 * second, using: &model.random)
                model.now += step
                if model.window.capacity == 1000 {
                    model.refill(commitsDuringScan: false)
                    XCTAssertEqual(
                        model.dueButNotHeld(), [], "seed \(seed): runs left behind while the window had room")
                }
                let batch = Int.random(in: 1...8, using: &model.random)
                model.takeDue(limit: batch)
            }
            // Time runs on with no new runs: the window must reach every one that is left.
            for _ in 0..<10_000 where !model.table.isEmpty {
                model.now += second
                model.refill(commitsDuringScan: false)
                model.takeDue(limit: .max)
            }
            XCTAssertEqual(model.table.count, 0, "seed \(seed): runs never taken")
        }
    }
}

/// The job table, the heap and the window of `testRandomSchedulesNeverLoseARun`.
private struct WindowModel {
    var random: SeededRandom
    var window: DueWindow
    var table: [String: DueEntry] = [:]
    var heap = DueQueue()
    var heldIDs: [String: Int] = [:]
    var now: Int64 = 1_000_000_000_000
    var nextID = 0

    init(seed: UInt64, capacity: Int) {
        random = SeededRandom(seed: seed)
        window = DueWindow(span: .seconds(10), capacity: capacity)
    }

    mutating func hold(_ entry: DueEntry) {
        heap.insert(entry)
        heldIDs[entry.jobID, default: 0] += 1
    }

    /// Commits a few runs due from 2 s ago to 40 s ahead, each offered to the window as the applied handler does.
    mutating func createSome() {
        for _ in 0..<Int.random(in: 0...3, using: &random) {
            nextID += 1
            let id = String(format: "j%06d", nextID)
            let entry = DueEntry(
                dueAtNs: now + Int64.random(in: -2_000_000_000...40_000_000_000, using: &random),
                jobID: id, run: 1)
            table[id] = entry
            if window.admit(entry.key, held: heap.count) { hold(entry) }
        }
    }

    mutating func refill(commitsDuringScan: Bool) {
        guard let scan = window.nextScan(nowNs: now, held: heap.count) else { return }
        let rows = table.values.filter { $0.key >= scan.from && $0.dueAtNs < scan.untilNs }
            .sorted { $0.key < $1.key }.prefix(scan.limit)
        if commitsDuringScan {
            createSome()
            if Int.random(in: 0..<20, using: &random) == 0 { return window.abandon(scan) }
        }
        for entry in window.finish(scan, rows: Array(rows), held: heap.count) { hold(entry) }
    }

    /// Takes due runs as the publisher does; a duplicate finds its row gone and is dropped.
    mutating func takeDue(limit: Int) {
        for entry in heap.popDue(nowNs: now, limit: limit) {
            heldIDs[entry.jobID, default: 1] -= 1
            table[entry.jobID] = nil
        }
    }

    func dueButNotHeld() -> [String] {
        table.values.filter { $0.dueAtNs <= now && heldIDs[$0.jobID, default: 0] == 0 }.map(\.jobID).sorted()
    }
}

/// SplitMix64, so a failing seed replays.
private struct SeededRandom: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E9B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
