import Foundation
import TockCore
import TockTestSupport
import XCTest

/// Filters and bulk actions across two shards of real processes, through whichever node: the forwarded calls carry
/// the filter with absolute times, the listing's merge pages through every match once, and the bulk cursor holds
/// each shard's position.
extension MultiShardTests {
    func testAHostFilterListsAndCancelsEveryMatchOnBothShardsOnce() async throws {
        let bases = fleet.allBases
        var drop: Set<String> = []
        var keep: Set<String> = []
        for i in 0..<24 {
            let host = i % 3 == 0 ? "Drop.Example" : "keep.example"
            // Keyed, so which shard holds each job is fixed: both hold matches (asserted below).
            let reply = try await tock.submit(
                #"{"url": "http://\#(host)/x", "run_at": "2099-01-01T00:00:00Z", "#
                    + #""idempotency_key": "dl-\#(i)"}"#, base: bases.randomElement()!)
            XCTAssertEqual(reply.status, 201, "\(reply.json)")
            let id = try XCTUnwrap(reply["id"]?.string)
            if i % 3 == 0 { drop.insert(id) } else { keep.insert(id) }
        }
        XCTAssertEqual(Set(drop.compactMap { JobID.shard(of: $0) }), [0, 1], "matches on both shards")

        var listed: [String] = []
        var cursor: String?
        for _ in 0..<20 {
            let query = "host=drop.example&since=1h&limit=3" + (cursor.map { "&cursor=\($0)" } ?? "")
            let page = try await tock.request(.GET, "/v1/jobs?\(query)", base: bases.randomElement()!)
            XCTAssertEqual(page.status, 200, "\(page.json)")
            if case .array(let jobs)? = page["jobs"] { listed += jobs.compactMap { $0["id"]?.string } }
            cursor = page["next_cursor"]?.string
            if cursor == nil { break }
        }
        XCTAssertEqual(listed.count, drop.count, "each match once: \(listed)")
        XCTAssertEqual(Set(listed), drop)

        var affected: [Int64] = []
        cursor = nil
        for _ in 0..<20 {
            let body = #"{"host": "DROP.example", "limit": 2"# + (cursor.map { #", "cursor": "\#($0)""# } ?? "") + "}"
            let reply = try await tock.request(.POST, "/v1/jobs:cancel", body: body, base: bases.randomElement()!)
            XCTAssertEqual(reply.status, 200, "\(reply.json)")
            affected.append(try XCTUnwrap(reply["affected"]?.int))
            cursor = reply["next_cursor"]?.string
            if cursor == nil { break }
        }
        XCTAssertEqual(affected.reduce(0, +), Int64(drop.count), "\(affected)")
        XCTAssertTrue(affected.allSatisfy { $0 <= 4 }, "at most 2 per shard per call: \(affected)")
        for id in drop { _ = try await tock.waitForState(id, "cancelled", base: bases.randomElement()!) }
        for id in keep.prefix(4) {
            let job = try await tock.job(id, base: bases.randomElement()!)
            XCTAssertEqual(job["state"]?.string, "scheduled", id)
        }
    }
}
