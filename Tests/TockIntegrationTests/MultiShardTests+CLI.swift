import Foundation
import TockCore
import TockTestSupport
import XCTest

/// `tock list --all` and `tock counts` over two shards of real processes: pages merged across shards, each job
/// once, and a column per shard.
extension MultiShardTests {
    func testTheCLIListsEveryJobOfBothShardsOnceAndCountsEachShard() async throws {
        var ids: Set<String> = []
        for i in 0..<12 {
            // Keyed, so which shard holds each job is fixed: both hold some (asserted below).
            let reply = try await tock.submit(
                #"{"url": "http://127.0.0.1:9/x", "delay": "1h", "idempotency_key": "cli-\#(i)"}"#,
                base: fleet.allBases.randomElement()!)
            ids.insert(try XCTUnwrap(reply["id"]?.string, "\(reply.json)"))
        }
        XCTAssertEqual(Set(ids.compactMap { JobID.shard(of: $0) }), [0, 1], "jobs on both shards")
        let server = ["--server", fleet.allBases.randomElement()!]

        let listed = try TockBinary.run(["list", "--all", "--json", "--limit", "5"] + server)
        XCTAssertEqual(listed.status, 0, listed.stderr)
        let lines = listed.stdout.split(separator: "\n").compactMap {
            (try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)))?["id"]?.string
        }
        XCTAssertEqual(lines.count, 12, "each job once: \(listed.stdout)")
        XCTAssertEqual(Set(lines), ids)

        let counts = try TockBinary.run(["counts"] + server)
        XCTAssertEqual(counts.status, 0, counts.stderr)
        let rows = counts.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        XCTAssertEqual(rows.first, ["state", "total", "shard", "0", "shard", "1"], counts.stdout)
        let scheduled = try XCTUnwrap(rows.first { $0.first == "scheduled" }, counts.stdout).compactMap { Int($0) }
        XCTAssertEqual(scheduled.count, 3, counts.stdout)
        XCTAssertEqual(scheduled.first, 12, counts.stdout)
        XCTAssertEqual(scheduled.dropFirst().reduce(0, +), 12, counts.stdout)
    }
}
