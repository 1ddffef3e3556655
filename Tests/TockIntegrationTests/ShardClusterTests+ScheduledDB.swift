import Foundation
import TockCore
import TockTestSupport
import XCTest

/// What scheduled-db's cluster scripts and e2e test do, against the 3-node shard of real `tock shard` processes:
/// `/health` on every node finds exactly one leader and followers naming it, `/debug/cluster` on every node lists
/// the three servers with their Raft addresses and counts the shard's jobs, and `POST /join` sent to a follower adds
/// a fourth node through the leader.
extension ShardClusterTests {
    func debugCluster(_ node: String) async throws -> TockHarness.Reply {
        try await tock.request(.GET, "/debug/cluster", base: cluster.base(node))
    }

    /// `/debug/cluster`'s servers as "id=address", in its order.
    func servers(_ reply: TockHarness.Reply) -> [String] {
        (reply["servers"]?.array ?? []).map { "\($0["id"]?.string ?? "?")=\($0["address"]?.string ?? "?")" }
    }

    func servers(_ nodes: [String]) -> [String] { nodes.map { "\($0)=\(cluster.raftAddress($0))" } }

    func join(_ body: String, via node: String) async throws -> TockHarness.Reply {
        try await tock.request(.POST, "/join", body: body, base: cluster.base(node))
    }

    func testScheduledDBsClusterChecksFindOneLeaderAndANodeJoinsThroughAFollower() async throws {
        for node in cluster.names { try cluster.start(node) }
        let leader = try await cluster.awaitLeader()
        let follower = try XCTUnwrap(cluster.names.first { $0 != leader })
        let three = servers(cluster.names)

        for node in cluster.names {
            let health = try await tock.request(.GET, "/health", base: cluster.base(node))
            let role = node == leader ? "leader" : "follower"
            // The scripts read the role with grep -o '"role":"[^"]*"'.
            XCTAssertTrue(health.text.contains(#""role":"\#(role)""#), "\(node): \(health.text)")
            XCTAssertEqual(health["leader"]?.string, node == leader ? nil : cluster.raftAddress(leader), node)
            XCTAssertEqual(health["node_id"]?.string, "0/\(node)")

            let debug = try await debugCluster(node)
            XCTAssertEqual(debug.status, 200, debug.text)
            XCTAssertEqual(debug["node_id"]?.string, node)
            XCTAssertEqual(debug["is_leader"]?.bool, node == leader, node)
            XCTAssertEqual(debug["raft_state"]?.string, node == leader ? "Leader" : "Follower", node)
            XCTAssertEqual(debug["leader"]?.string, cluster.raftAddress(leader), node)
            XCTAssertEqual(servers(debug), three, node)
            // test-cluster-init.sh counts the servers with grep -o '"id"'.
            XCTAssertEqual(debug.text.components(separatedBy: #""id""#).count - 1, 3, debug.text)
        }

        for _ in 0..<3 {
            let created = try await tock.submit(
                #"{"url": "\#(tock.sink.baseURL)/ok", "delay": "1h"}"#, base: cluster.base(follower))
            XCTAssertEqual(created.status, 201, "\(created.json)")
        }
        for node in cluster.names {
            _ = try await eventually("\(node) to count the 3 jobs") {
                (try? await debugCluster(node))?["job_count"]?.int == 3 ? true : nil
            }
        }

        // scheduled-db's refusals, from the leader after the follower forwarded them.
        let refusals = [
            ("not json", "Invalid request body"),
            (#"{"node_id": "n4"}"#, "node_id and address are required"),
            (#"{"node_id": "n4", "address": "nope"}"#, "address must be HOST:PORT, the new node's Raft address"),
        ]
        for (body, message) in refusals {
            let refused = try await join(body, via: follower)
            XCTAssertEqual(refused.status, 400, body)
            XCTAssertEqual(refused.json, .object(["error": .string(message)]), body)
        }

        try cluster.start("n4", members: cluster.names + ["n4"], join: true)
        let (raft, http) = (cluster.raftAddress("n4"), cluster.httpAddress("n4"))
        let body = #"{"node_id": "n4", "address": "\#(raft)", "http_address": "\#(http)"}"#
        let joined = try await join(body, via: follower)
        XCTAssertEqual(joined.status, 200, joined.text)
        XCTAssertEqual(
            joined.json, .object(["success": .bool(true), "message": .string("Node n4 successfully joined cluster")]))
        let four = servers(cluster.names + ["n4"])
        let afterJoin = try await debugCluster(leader)
        XCTAssertEqual(servers(afterJoin), four)
        let n4 = try await eventually("n4 to know the group and hold its jobs") { () -> TockHarness.Reply? in
            let debug = try? await debugCluster("n4")
            return debug.map(servers) == four && debug?["job_count"]?.int == 3 ? debug : nil
        }
        XCTAssertEqual(n4["raft_state"]?.string, "Follower")
        XCTAssertEqual(n4["leader"]?.string, cluster.raftAddress(leader))

        // scheduled-db's nodes ask to join again whenever they start: the same join succeeds and changes nothing.
        let again = try await join(body, via: leader)
        XCTAssertEqual(again.status, 200, again.text)
        let moved = try await join(#"{"node_id": "n4", "address": "127.0.0.1:1"}"#, via: follower)
        XCTAssertEqual(moved.status, 409, moved.text)
        XCTAssertEqual(moved["error"]?.string, "Failed to join cluster: n4 is already a voter")
        let unchanged = try await debugCluster(leader)
        XCTAssertEqual(servers(unchanged), four)
    }
}
