import Foundation
import TockTestSupport
import XCTest

/// The dashboard on a node of one shard, and on a router, shows every shard's Raft group: another shard's as its
/// leader reports it, the node's own shard as the node sees it.
extension MultiShardTests {
    func testTheDashboardShowsEveryShardsRaftGroup() async throws {
        let leaders = [try await fleet.awaitLeader(shard: 0), try await fleet.awaitLeader(shard: 1)]
        try fleet.startRouter()
        for base in [fleet.base(shard: 0, node: "n2"), fleet.routerBase] {
            let page = try await eventually(within: .seconds(20), "both shards on \(base)'s overview") {
                () async throws -> TockHarness.Reply? in
                guard let page = try? await self.tock.request(.GET, "/ui/", base: base) else { return nil }
                return page.text.components(separatedBy: "<td>n1, n2, n3</td>").count == 3 ? page : nil
            }
            // Each shard's row names its leader (the node answering may be a follower: this node for its own shard).
            for (shard, leader) in leaders.enumerated() {
                let row = "<td>\(shard)</td><td>[^<]*</td><td>[^<]*</td><td>\(leader)</td>"
                XCTAssertNotNil(page.text.range(of: row, options: .regularExpression), "shard \(shard): \(page.text)")
            }
        }
    }
}
