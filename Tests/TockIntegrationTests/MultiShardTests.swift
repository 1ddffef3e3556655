import Foundation
import NIOCore
import NIOHTTP1
import TockCore
import TockModel
import TockNATS
import TockShard
import TockTestSupport
import TockWire
import XCTest

/// Two shards of three real `tock shard` processes each, routed by one shard map: any node takes any call.
final class MultiShardTests: XCTestCase {
    var tock: TockHarness!
    var fleet: ShardFleetProcesses!

    override func setUp() async throws {
        tock = try await TockHarness.start(shard: false)
        var layout = QueueConfig()
        layout.shardCount = 2
        let connection = try NATSConnection.connect(url: tock.nats.url)
        try JetStreamSetup.apply(layout, to: try connection.jetStream())
        connection.close()
        fleet = try ShardFleetProcesses(harness: tock, shards: 2)
        try fleet.startAll()
        for shard in 0..<2 { _ = try await fleet.awaitLeader(shard: shard) }
    }

    override func tearDown() async throws {
        fleet?.stopAll()
        if (testRun?.totalFailureCount ?? 0) > 0 { fleet?.printLogs() }
        await tock?.shutdown()
    }

    func testJobsSubmittedToRandomNodesSpreadOverBothShardsAndAllSucceed() async throws {
        let bases = fleet.allBases
        let sink = tock.sink.baseURL
        let tock = self.tock!
        let ids = try await concurrently(400, width: 16) { i -> String in
            let key = i % 2 == 0 ? #", "idempotency_key": "order-\#(i)""# : ""
            let reply = try await tock.submit(#"{"url": "\#(sink)/ok"\#(key)}"#, base: bases.randomElement()!)
            XCTAssertEqual(reply.status, 201, "\(reply.json)")
            let id = try XCTUnwrap(reply["id"]?.string)
            if i % 2 == 0 {
                XCTAssertEqual(
                    JobID.shard(of: id), ShardHash.shard(forKey: "order-\(i)", shardCount: 2),
                    "a keyed job lives on its key's shard")
            }
            return id
        }
        let onShard0 = ids.filter { JobID.shard(of: $0) == 0 }.count
        XCTAssertTrue((140...260).contains(onShard0), "\(onShard0) of 400 jobs on shard 0")

        _ = try await eventually(within: .seconds(60), "every job at the webhook") {
            ids.allSatisfy { !self.tock.sink.requests(forJob: $0).isEmpty } ? true : nil
        }
        for id in ids.shuffled().prefix(20) {
            _ = try await tock.waitForState(id, "succeeded", base: bases.randomElement()!)
        }

        // The key meets its first job whichever node is asked.
        let again = try await tock.submit(
            #"{"url": "\#(sink)/ok", "idempotency_key": "order-0"}"#,
            base: bases.randomElement()!)
        XCTAssertEqual(again.status, 200)
        XCTAssertEqual(again["id"]?.string, ids[0])
    }

    func testListingPagesThroughBothShardsInCreationOrder() async throws {
        var submitted: [String] = []
        for _ in 0..<25 {
            let reply = try await tock.submit(
                #"{"url": "\#(tock.sink.baseURL)/ok", "delay": "1h"}"#,
                base: fleet.allBases.randomElement()!)
            submitted.append(try XCTUnwrap(reply["id"]?.string))
        }
        XCTAssertEqual(Set(submitted.compactMap(JobID.shard(of:))), [0, 1], "both shards hold some")

        var listed: [String] = []
        var cursor: String?
        for _ in 0..<10 {
            let query = "/v1/jobs?state=scheduled&limit=7" + (cursor.map { "&cursor=\($0)" } ?? "")
            let page = try await tock.request(.GET, query, base: fleet.allBases.randomElement()!)
            XCTAssertEqual(page.status, 200, "\(page.json)")
            guard case .array(let jobs)? = page["jobs"] else { return XCTFail("no jobs in \(page.json)") }
            XCTAssertLessThanOrEqual(jobs.count, 7)
            listed += jobs.compactMap { $0["id"]?.string }
            cursor = page["next_cursor"]?.string
            if cursor == nil { break }
        }
        XCTAssertNil(cursor, "the listing ended")
        XCTAssertEqual(
            listed, submitted.sorted { $0.split(separator: "-")[1] < $1.split(separator: "-")[1] },
            "every job once, oldest first")
        XCTAssertEqual(
            submitted.sorted { $0.split(separator: "-")[1] < $1.split(separator: "-")[1] }, submitted,
            "ids sort in creation order")

        let counts = try await tock.request(.GET, "/v1/jobs:counts", base: fleet.allBases.randomElement()!)
        XCTAssertEqual(counts["total"]?["scheduled"]?.int, 25, "\(counts.json)")
        let perShard = [0, 1].map { counts["shards"]?["\($0)"]?["scheduled"]?.int ?? 0 }
        XCTAssertEqual(
            perShard, [0, 1].map { shard in Int64(submitted.filter { JobID.shard(of: $0) == UInt32(shard) }.count) })

        let none = try await tock.request(.GET, "/v1/jobs?state=succeeded", base: fleet.allBases[0])
        XCTAssertEqual(none["jobs"], .array([]))
        let bad = try await tock.request(.GET, "/v1/jobs?limit=0", base: fleet.allBases[0])
        XCTAssertEqual(bad.status, 400)
        XCTAssertEqual(bad["error"]?["field"]?.string, "limit")
    }

    func testABatchIsSplitAcrossShardsAndABadJobFailsAlone() async throws {
        let good = #"{"url": "\#(tock.sink.baseURL)/ok"}"#
        let jobs = (0..<40).map { $0 == 17 ? #"{"url": "ftp://nowhere"}"# : good }
        let reply = try await tock.request(
            .POST, "/v1/jobs:batch", body: #"{"jobs": [\#(jobs.joined(separator: ","))]}"#,
            base: fleet.allBases.randomElement()!)
        XCTAssertEqual(reply.status, 200, "\(reply.json)")
        guard case .array(let results)? = reply["results"] else { return XCTFail("no results: \(reply.json)") }
        XCTAssertEqual(results.count, 40)
        XCTAssertEqual(results[17]["status"]?.int, 400)
        XCTAssertEqual(results[17]["error"]?["field"]?.string, "url")
        let ids = results.enumerated().filter { $0.offset != 17 }.compactMap { $0.element["job"]?["id"]?.string }
        XCTAssertEqual(ids.count, 39, "every other job was created: \(results)")
        XCTAssertEqual(Set(ids.compactMap(JobID.shard(of:))), [0, 1])
        _ = try await eventually(within: .seconds(60), "every batch job at the webhook") {
            ids.allSatisfy { !self.tock.sink.requests(forJob: $0).isEmpty } ? true : nil
        }

        let tooMany = #"{"jobs": [\#(Array(repeating: good, count: 1001).joined(separator: ","))]}"#
        let refused = try await tock.request(.POST, "/v1/jobs:batch", body: tooMany, base: fleet.allBases[0])
        XCTAssertEqual(refused.status, 400)
        XCTAssertEqual(refused["error"]?["field"]?.string, "jobs")
    }

    func testARouterTakesJobCallsLikeANode() async throws {
        try fleet.startRouter()
        let base = fleet.routerBase
        _ = try await eventually(within: .seconds(20), "the router to listen") {
            (try? await self.tock.request(.GET, "/healthz", base: base))?.status == 200 ? true : nil
        }
        var ids: [String] = []
        for i in 0..<20 {
            let reply = try await tock.submit(
                #"{"url": "\#(tock.sink.baseURL)/ok", "idempotency_key": "r\#(i)"}"#,
                base: base)
            XCTAssertEqual(reply.status, 201, "\(reply.json)")
            ids.append(try XCTUnwrap(reply["id"]?.string))
        }
        XCTAssertEqual(Set(ids.compactMap(JobID.shard(of:))), [0, 1])
        for id in ids { _ = try await tock.waitForState(id, "succeeded", base: base) }
        let cancelled = try await tock.request(.DELETE, "/v1/jobs/\(ids[0])", base: base)
        XCTAssertEqual(cancelled.status, 409, "a finished job cannot be cancelled: \(cancelled.json)")
        let missing = try await tock.job("7-01ARZ3NDEKTSV4RRFFQ69G5FAV", base: base)
        XCTAssertEqual(missing.status, 404, "an id naming a shard that does not exist")
    }

    private nonisolated func concurrently<T: Sendable>(
        _ count: Int, width: Int, _ body: @escaping @Sendable (Int) async throws -> T
    )
        async throws -> [T]
    {
        try await withThrowingTaskGroup(of: (Int, T).self) { group in
            var results = [T?](repeating: nil, count: count)
            var next = 0
            for _ in 0..<min(width, count) {
                let i = next
                next += 1
                group.addTask { (i, try await body(i)) }
            }
            for try await (i, value) in group {
                results[i] = value
                if next < count {
                    let j = next
                    next += 1
                    group.addTask { (j, try await body(j)) }
                }
            }
            return results.map { $0! }
        }
    }
}
