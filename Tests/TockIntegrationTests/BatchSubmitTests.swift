import Foundation
import TockCore
import TockTestSupport
import XCTest

/// `POST /v1/jobs:batch` on a real single-node shard: a full batch is one Raft log entry, and every job in it is
/// scheduled and delivered.
final class BatchSubmitTests: XCTestCase {
    var tock: TockHarness!

    override func setUp() async throws {
        tock = try await TockHarness.start()
    }

    override func tearDown() async throws {
        await tock?.shutdown()
    }

    func testAThousandJobsAreOneLogEntryAndAllAreDelivered() async throws {
        let count = 1000  // the most a batch holds
        // Due in 10 s, so no "published" entry lands between the two looks at the log, even on a loaded machine
        // (at 3 s, a batch that took 5 s to answer under load was published before the second look).
        let jobs = (0..<count).map { index in
            // Job 500 repeats job 10's key: the same job, not a second one.
            let key = index == 500 ? "batch-10" : "batch-\(index)"
            return #"{"url": "\#(tock.sink.baseURL)/ok", "delay": "10s", "idempotency_key": "\#(key)"}"#
        }
        let before = try await settledLog()
        let reply = try await tock.request(
            .POST, "/v1/jobs:batch", body: #"{"jobs": [\#(jobs.joined(separator: ","))]}"#)
        let after = try await settledLog()
        XCTAssertEqual(reply.status, 200, "\(reply.json)")
        XCTAssertEqual(after - before, 1, "the batch is one log entry")

        guard case .array(let results)? = reply["results"] else { return XCTFail("no results: \(reply.json)") }
        XCTAssertEqual(results.count, count)
        XCTAssertEqual(results.filter { $0["status"]?.int == 201 }.count, count - 1)
        XCTAssertEqual(results[500]["status"]?.int, 200)
        XCTAssertEqual(results[500]["job"]?["id"]?.string, results[10]["job"]?["id"]?.string)
        let ids = Set(results.compactMap { $0["job"]?["id"]?.string })
        XCTAssertEqual(ids.count, count - 1)

        // A second batch with keys already stored creates nothing, and is still one entry.
        let again = try await tock.request(.POST, "/v1/jobs:batch", body: #"{"jobs": [\#(jobs[0]), \#(jobs[1])]}"#)
        guard case .array(let repeated)? = again["results"] else { return XCTFail("no results: \(again.json)") }
        XCTAssertEqual(repeated.map { $0["status"]?.int }, [200, 200])
        XCTAssertEqual(repeated[0]["job"]?["id"]?.string, results[0]["job"]?["id"]?.string)

        _ = try await eventually(within: .seconds(90), "every batch job at the webhook") {
            ids.allSatisfy { !self.tock.sink.requests(forJob: $0).isEmpty } ? true : nil
        }
    }

    /// The shard's last log index once everything proposed so far is committed.
    private func settledLog() async throws -> Int64 {
        try await eventually(within: .seconds(10), "the log to settle") {
            let cluster = try await self.tock.request(.GET, "/v1/cluster")
            guard let last = cluster["last_index"]?.int, cluster["commit_index"]?.int == last,
                cluster["applied_index"]?.int == last
            else { return nil }
            return last
        }
    }
}
