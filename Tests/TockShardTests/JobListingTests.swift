import Foundation
import TockCore
import TockModel
import TockSQLite
import TockWire
import XCTest

@testable import TockShard

/// Listing by filter on a real SQLite file: the URL host as SQLite reads it, the time range, and the bounded scan
/// that stops a page early with where to go on.
final class JobListingTests: XCTestCase {
    var directory: URL!
    var db: Database!
    let machine = JobStateMachine(shard: 0)

    override func setUpWithError() throws {
        (directory, db) = try ShardTestDatabase.make("tock-listing")
    }

    override func tearDownWithError() throws {
        db = nil
        ShardTestDatabase.remove(directory)
    }

    func create(_ id: String, url: String = "http://h/p", at ns: Int64 = 100, priority: Priority = .normal) throws {
        let spec = JobSpec(
            id: id, priority: priority, target: HTTPTarget(url: url, method: "POST", headers: [], body: []),
            timeoutMs: 1000, maxAttempts: 1, idempotencyKey: "", dueAtNs: 500)
        _ = try db.transaction { try machine.apply(.createJob(spec, createdAtNs: ns), in: db) }
    }

    func ids(_ filter: JobFilter, after: String? = nil, limit: Int = 100, scanLimit: Int = 10_000) throws
        -> (ids: [String], resumeAfter: String?)
    {
        let page = try JobListing.page(filter, afterID: after, limit: limit, scanLimit: scanLimit, in: db)
        return (page.jobs.map(\.id), page.resumeAfter)
    }

    func testTheHostIsReadFromTheURLAsAClientMeantIt() throws {
        let urls = [
            "a": "http://Example.COM/x", "b": "https://user:pw@example.com:8443/p?q#f", "c": "http://example.com",
            "d": "http://example.com?x=1", "e": "http://example.com#top", "f": "http://example.com.evil/x",
            "g": "http://evil/?u=http://example.com/", "h": "http://[::1]:8080/", "i": "http://[::1]/",
            "j": "https://sub.example.com/",
        ]
        for (id, url) in urls { try create(id, url: url) }
        XCTAssertEqual(try ids(JobFilter(host: "example.com")).ids, ["a", "b", "c", "d", "e"])
        XCTAssertEqual(try ids(JobFilter(host: JobFilter.host(parsing: "::1"))).ids, ["h", "i"])
        XCTAssertEqual(try ids(JobFilter(host: JobFilter.host(parsing: "[::1]"))).ids, ["h", "i"])
        XCTAssertEqual(try ids(JobFilter(host: JobFilter.host(parsing: "SUB.example.com"))).ids, ["j"])
    }

    func testHostFiltersThatCannotBeAHostAreRefused() {
        for text in ["", "a b", "x/y", "a@b", String(repeating: "a", count: 256), "[::1", "h'; DROP TABLE jobs"] {
            XCTAssertNil(JobFilter.host(parsing: text), text)
        }
        XCTAssertEqual(JobFilter.host(parsing: "Example.com"), "example.com")
    }

    func testTheTimeRangeIsOnUpdatedAtSinceInclusiveUntilExclusive() throws {
        for (index, ns) in [100, 200, 300].enumerated() { try create("j\(index)", at: Int64(ns)) }
        XCTAssertEqual(try ids(JobFilter(updatedSinceNs: 200)).ids, ["j1", "j2"])
        XCTAssertEqual(try ids(JobFilter(updatedUntilNs: 300)).ids, ["j0", "j1"])
        XCTAssertEqual(try ids(JobFilter(updatedSinceNs: 200, updatedUntilNs: 300)).ids, ["j1"])
    }

    func testTimesAreRFC3339OrDurationsBeforeNow() throws {
        XCTAssertEqual(try JobFilter.time(parsing: "1h", field: "since", nowNs: 7_200_000_000_000), 3_600_000_000_000)
        XCTAssertEqual(try JobFilter.time(parsing: "1970-01-01T00:00:01Z", field: "since", nowNs: 0), 1_000_000_000)
        XCTAssertThrowsError(try JobFilter.time(parsing: "yesterday", field: "until", nowNs: 0)) { error in
            XCTAssertEqual((error as? FieldError)?.field, "until")
        }
    }

    /// A filter few jobs match examines at most `scanLimit` jobs a page: a page may come back short, or empty,
    /// with the id to go on after, and paging on finds every match exactly once.
    func testABoundedScanStopsEarlyAndPagingOnFindsEveryMatch() throws {
        for index in 0..<25 {
            try create(String(format: "j%02d", index), url: index % 10 == 9 ? "http://rare/" : "http://common/")
        }
        let filter = JobFilter(host: "rare")
        var found: [String] = []
        var after: String?
        var pages = 0
        repeat {
            let page = try ids(filter, after: after, limit: 100, scanLimit: 4)
            found += page.ids
            after = page.resumeAfter
            pages += 1
        } while after != nil && pages < 20
        XCTAssertEqual(found, ["j09", "j19"])
        XCTAssertEqual(pages, 7)
        // A full page goes on after its last job.
        XCTAssertEqual(try ids(JobFilter(), limit: 2).resumeAfter, "j01")
        XCTAssertNil(try ids(filter).resumeAfter)
    }

    /// Several states are read one index range each and merged in id order, with or without other conditions.
    func testSeveralStatesPageInIDOrder() throws {
        for index in 0..<6 { try create("j\(index)") }
        let published = (0..<6).filter { $0 % 2 == 1 }.map {
            PublishedRun(jobID: "j\($0)", run: 1, streamSequence: UInt64($0), publishedAtNs: 600)
        }
        _ = try db.transaction { try machine.apply(.markPublished(published), in: db) }
        let states: [JobState] = [.scheduled, .published]
        XCTAssertEqual(try ids(JobFilter(states: states), limit: 4).ids, ["j0", "j1", "j2", "j3"])
        XCTAssertEqual(try ids(JobFilter(states: states), limit: 4).resumeAfter, "j3")
        XCTAssertEqual(try ids(JobFilter(states: states), after: "j3", limit: 4).ids, ["j4", "j5"])
        XCTAssertNil(try ids(JobFilter(states: states), after: "j3", limit: 4).resumeAfter)
        let bounded = try ids(JobFilter(states: states, host: "h"), limit: 10, scanLimit: 3)
        XCTAssertEqual(bounded.ids, ["j0", "j1", "j2"])
        XCTAssertEqual(bounded.resumeAfter, "j2")
        XCTAssertEqual(try ids(JobFilter(states: [.published, .cancelled])).ids, ["j1", "j3", "j5"])
    }

    func testStatesPriorityAndOneTimeCombine() throws {
        try create("a", priority: .high)
        try create("b", priority: .low)
        XCTAssertEqual(try ids(JobFilter(states: [.scheduled], priority: .high, oneTimeOnly: true)).ids, ["a"])
        XCTAssertEqual(try ids(JobFilter(states: [.failed, .cancelled])).ids, [])
    }
}
