import Foundation
import TockModel
import TockWire
import XCTest

@testable import TockFrontDoor
@testable import TockShard

/// Merging the shards' pages of a listing: a page never holds a job past a position some shard has not looked
/// beyond, and its cursor goes on from the right place, whether shards stopped on a full page or on their scan
/// limit.
final class JobPageMergingTests: XCTestCase {
    /// A job id of `shard` whose ULID sorts by `n`.
    func id(_ shard: Int, _ n: Int) -> String {
        "\(shard)-01JD" + String(repeating: "0", count: 20) + String(format: "%02d", n)
    }

    func view(_ id: String) -> JobView {
        JobView(
            Job(
                id: id, shard: 0, state: .failed, priority: .normal,
                target: HTTPTarget(url: "http://h/", method: "POST", headers: [], body: []), timeoutMs: 1000,
                maxAttempts: 1, idempotencyKey: "", run: 1, dueAtNs: 0, createdAtNs: 0, updatedAtNs: 0,
                publishedAtNs: nil, streamSequence: nil, finishedAtNs: nil, cancelledAtNs: nil, attempts: 1,
                lastStatus: nil, lastError: nil, executorID: nil, webhookFormat: .tock))
    }

    func page(_ ids: [String], next: String? = nil) -> JobPage { JobPage(jobs: ids.map(view), next_cursor: next) }

    func testFullPagesMergeUpToTheLeastLastJob() {
        let merged = JobPage.merging(
            [
                page([id(0, 1), id(0, 2), id(0, 3)], next: id(0, 3)),
                page([id(1, 4), id(1, 5), id(1, 6)], next: id(1, 6)),
            ], limit: 3)
        XCTAssertEqual(merged.jobs.map(\.id), [id(0, 1), id(0, 2), id(0, 3)])
        XCTAssertEqual(merged.next_cursor, id(0, 3))
    }

    /// Shard 0 examined up to 10 and found nothing; shard 1's 12 is past that, so it waits for the next page,
    /// which goes on after 10 (and there finds whatever shard 0 holds between 10 and 12 first).
    func testAShardThatStoppedLookingHoldsBackLaterJobsOfTheOthers() {
        let merged = JobPage.merging([page([], next: id(0, 10)), page([id(1, 2), id(1, 12)])], limit: 5)
        XCTAssertEqual(merged.jobs.map(\.id), [id(1, 2)])
        XCTAssertEqual(merged.next_cursor, id(0, 10))
    }

    func testMoreThanAPageUpToTheFrontierCutsAtTheLimit() {
        let merged = JobPage.merging(
            [
                page([id(0, 1), id(0, 3)], next: id(0, 3)),
                page([id(1, 2), id(1, 4)], next: id(1, 4)),
            ], limit: 2)
        XCTAssertEqual(merged.jobs.map(\.id), [id(0, 1), id(1, 2)])
        XCTAssertEqual(merged.next_cursor, id(1, 2))
    }

    func testShardsWithNothingMoreEndTheListing() {
        let merged = JobPage.merging([page([id(0, 3)]), page([id(1, 1)])], limit: 2)
        XCTAssertEqual(merged.jobs.map(\.id), [id(1, 1), id(0, 3)])
        XCTAssertNil(merged.next_cursor)
    }

    /// A shard from before positions were reported leaves `next_cursor` out even on a full page.
    func testAFullPageWithoutAPositionStillCounts() {
        let merged = JobPage.merging([page([id(0, 1), id(0, 5)]), page([id(1, 2)])], limit: 2)
        XCTAssertEqual(merged.jobs.map(\.id), [id(0, 1), id(1, 2)])
        XCTAssertEqual(merged.next_cursor, id(1, 2))
    }
}
