import Foundation
import TockCore
import TockModel
import TockSQLite
import TockWire
import XCTest

@testable import TockShard

/// A stored job is read and shown whatever its numbers and texts hold — values no client can submit today, written
/// by an older version or by hand — so that reading or listing it never takes a node down. (A state, priority or
/// format this version does not know is an error naming the column instead: `JobRowsTests`.)
final class StoredJobRenderingTests: XCTestCase {
    var directory: URL!
    var db: Database!

    override func setUpWithError() throws {
        (directory, db) = try ShardTestDatabase.make("tock-render")
    }

    override func tearDownWithError() throws {
        db = nil
        ShardTestDatabase.remove(directory)
    }

    private func insertJob(_ id: String, times: Int64, integers: Int64, schedule: String?) throws {
        try db.statement(
            """
            INSERT INTO jobs (id, shard, state, priority, url, method, headers, body, timeout_ms, max_attempts,
                              idempotency_key, run, due_at, created_at, updated_at, published_at, stream_seq,
                              finished_at, cancelled_at, attempts, last_status, last_error, executor_id,
                              webhook_format, schedule, paused)
            VALUES (?, ?, 'scheduled', 'low', ?, 'BREW', X'5B5D', ?, ?, ?, NULL, ?, ?, ?,
                    ?, ?, ?, ?, ?, ?, ?, ?, NULL, 'scheduled-db', ?, ?)
            """
        ).run(
            id, integers, "http://h/\u{0}x", [UInt8(0xFF), 0xFE], integers, integers, integers, times, times,
            times, times, integers, times, times, integers, integers, "a\u{0}b", schedule, integers)
        try db.statement(
            """
            INSERT INTO job_runs (job_id, run, due_at, state, published_at, attempts, last_status, finished_at)
            VALUES (?, ?, ?, 'skipped', ?, ?, ?, ?)
            """
        ).run(id, integers, times, times, integers, integers, times)
    }

    func testEveryExtremeOfEveryColumnReadsAndRenders() throws {
        let extremes: [Int64] = [.min, .min + 1, -1_000_000_000, -1, 0, 1, 999_999_999, .max - 1, .max]
        for (index, value) in extremes.enumerated() {
            let schedule =
                #"{"cron":"* * * * *","time_zone":"Mars/Olympus","start_at_ns":\#(value),"#
                + #""end_at_ns":\#(value),"overlap":"sometimes","misfire":"never"}"#
            try insertJob("j\(index)", times: value, integers: value, schedule: schedule)
        }
        for (index, value) in extremes.enumerated() {
            let job = try XCTUnwrap(try JobRows.find(id: "j\(index)", in: db), "\(value)")
            let view = JobView(job)
            var json = JSONText()
            view.write(to: &json)
            let rendered = try XCTUnwrap(
                JSONValue(parsing: json.bytes), "\(value): \(String(decoding: json.bytes, as: UTF8.self))")
            guard case .object(let fields) = rendered else { return XCTFail("\(value): not an object") }
            XCTAssertNotNil(
                fields["run_at"].flatMap { if case .string(let text) = $0 { text } else { nil } }, "\(value)")
            XCTAssertEqual(job.target.url, "http://h/\u{0}x", "a NUL in a text column reads back whole")
            XCTAssertEqual(view.last_error, "a\u{0}b")

            let runs = try JobRunRecord.page(of: job, RunsPage(limit: 10), in: db)
            XCTAssertEqual(runs.count, value > 0 ? 1 : 0, "runs are paged after run 0: \(value)")
            _ = JobRunsView(job: job, runs: runs, page: RunsPage(limit: 10))
        }
        let listed = try JobListing.page(state: nil, priority: nil, afterID: nil, limit: 100, in: db)
        XCTAssertEqual(listed.count, extremes.count)
        XCTAssertEqual(listed.map { JobView($0) }.count, extremes.count)
    }

    /// Every Int64 renders as an RFC 3339 time, and the ends and their neighbours parse back to themselves.
    func testEveryTimeRenders() {
        for ns in [Int64.min, .min + 1, -9_223_372_036_000_000_000, -1, 0, .max - 1, .max] {
            let text = RFC3339.format(ns: ns, fractionDigits: 9)
            XCTAssertEqual(RFC3339.parseNs(text), ns, text)
        }
        XCTAssertEqual(RFC3339.format(ns: .min, fractionDigits: 3), "1677-09-21T00:12:43.145Z")
        XCTAssertEqual(RFC3339.format(ns: .max, fractionDigits: 0), "2262-04-11T23:47:16Z")
    }
}
