import Foundation
import TockAuth
import TockCore
import TockShard
import XCTest

@testable import TockFrontDoor

/// A node's Raft view shown as scheduled-db's `/debug/cluster` and `/health`, and its `POST /join` body read.
final class ScheduledDBClusterViewTests: XCTestCase {
    let addresses = ["n1": HostPort(host: "10.0.0.1", port: 7001), "n2": HostPort(host: "10.0.0.2", port: 7002)]

    func status(node: String, role: String, leader: String?, voters: [String], learners: [String] = []) throws
        -> ClusterStatus
    {
        var object: [String: Any] = [
            "node": node, "role": role, "term": 3, "commit_index": 9, "applied_index": 9, "last_index": 9,
            "snapshot_index": 0, "voters": voters, "learners": learners,
        ]
        if let leader { object["leader"] = leader }
        return try JSONDecoder().decode(ClusterStatus.self, from: JSONSerialization.data(withJSONObject: object))
    }

    func encoded(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    func testTheLeadersViewListsVotersAndLearnersWithTheirRaftAddresses() throws {
        let cluster = try status(node: "n1", role: "leader", leader: "n1", voters: ["n2", "n1"], learners: ["n3"])
        let view = ScheduledDBClusterView(cluster, jobCount: 12, raftAddress: { self.addresses[$0] })
        XCTAssertEqual(
            try encoded(view),
            #"{"is_leader":true,"job_count":12,"leader":"10.0.0.1:7001","node_id":"n1","raft_state":"Leader","#
                + #""servers":[{"address":"10.0.0.1:7001","id":"n1"},{"address":"10.0.0.2:7002","id":"n2"},"#
                + #"{"address":"n3","id":"n3"}]}"#,
            "n3's address is unknown: it is named by its id")
    }

    func testAFollowerNamesTheLeaderByItsRaftAddress() throws {
        let cluster = try status(node: "n2", role: "follower", leader: "n1", voters: ["n1", "n2"])
        let view = ScheduledDBClusterView(cluster, jobCount: 0, raftAddress: { self.addresses[$0] })
        XCTAssertFalse(view.is_leader)
        XCTAssertEqual(view.leader, "10.0.0.1:7001")
        XCTAssertEqual(view.raft_state, "Follower")
        let health = ScheduledDBHealthView(nodeID: "0/n2", cluster: cluster, raftAddress: { self.addresses[$0] })
        XCTAssertEqual(
            try encoded(health), #"{"leader":"10.0.0.1:7001","node_id":"0\/n2","role":"follower","status":"ok"}"#)
    }

    func testDuringAnElectionNoLeaderIsNamed() throws {
        for (role, state) in [("candidate", "Candidate"), ("preCandidate", "Candidate"), ("follower", "Follower")] {
            let cluster = try status(node: "n2", role: role, leader: nil, voters: ["n1", "n2"])
            let view = ScheduledDBClusterView(cluster, jobCount: 0, raftAddress: { self.addresses[$0] })
            XCTAssertEqual(view.raft_state, state, role)
            XCTAssertEqual(view.leader, "", role)
            XCTAssertFalse(view.is_leader, role)
            let health = ScheduledDBHealthView(nodeID: "0/n2", cluster: cluster, raftAddress: { self.addresses[$0] })
            XCTAssertEqual(try encoded(health), #"{"node_id":"0\/n2","role":"follower","status":"ok"}"#, role)
        }
    }

    func testTheLeadersHealthSaysLeaderAndNamesNoOtherLeader() throws {
        let cluster = try status(node: "n1", role: "leader", leader: "n1", voters: ["n1", "n2"])
        let health = ScheduledDBHealthView(nodeID: "0/n1", cluster: cluster, raftAddress: { self.addresses[$0] })
        XCTAssertEqual(health, ScheduledDBHealthView(nodeID: "0/n1"))
    }

    func join(_ body: String) -> Result<ScheduledDBJoinRequest, ScheduledDBErrorView> {
        Result { () throws(ScheduledDBErrorView) in try ScheduledDBJoinRequest.parse(Data(body.utf8)) }
    }

    func testAJoinNamesTheNodeAndItsRaftAddress() throws {
        XCTAssertEqual(
            try join(#"{"node_id": "n4", "address": "10.0.0.4:7000", "extra": 1}"#).get(),
            ScheduledDBJoinRequest(node: "n4", raft: HostPort(host: "10.0.0.4", port: 7000), http: nil))
        XCTAssertEqual(
            try join(#"{"node_id": "n4", "address": "10.0.0.4:7000", "http_address": "https://h4:8443"}"#).get().http,
            HostPort(host: "h4", port: 8443, secure: true))
    }

    func testWithoutAnHTTPAddressTheRaftHostIsGuessedWithThisNodesPort() throws {
        let request = try join(#"{"node_id": "n4", "address": "10.0.0.4:7000"}"#).get()
        XCTAssertEqual(
            request.httpAddress(guessedFrom: HostPort(host: "10.0.0.1", port: 8080, secure: true)),
            HostPort(host: "10.0.0.4", port: 8080, secure: true))
        var given = request
        given.http = HostPort(host: "h4", port: 9000)
        XCTAssertEqual(given.httpAddress(guessedFrom: HostPort(host: "10.0.0.1", port: 8080)), given.http)
    }

    func testABadJoinIsRefusedInScheduledDBsWordsNamingTheField() {
        let cases: [(String, String)] = [
            ("", "Invalid request body"),
            ("not json", "Invalid request body"),
            (#"["n4"]"#, "Invalid request body"),
            (#"{"node_id": 4, "address": "h:1"}"#, "Invalid request body"),
            (#"{"node_id": "n4", "address": "h:1", "http_address": 8080}"#, "Invalid request body"),
            ("{}", "node_id and address are required"),
            (#"{"node_id": "", "address": "h:1"}"#, "node_id and address are required"),
            (#"{"node_id": "n4", "address": null}"#, "node_id and address are required"),
            (#"{"node_id": "n/4", "address": "h:1"}"#, "node_id must not contain ',', '=' or '/'"),
            (#"{"node_id": "n4", "address": "h"}"#, "address must be HOST:PORT, the new node's Raft address"),
            (#"{"node_id": "n4", "address": "h:99999"}"#, "address must be HOST:PORT, the new node's Raft address"),
            (#"{"node_id": "n4", "address": "https://h:1"}"#, "address must be HOST:PORT, the new node's Raft address"),
            (
                #"{"node_id": "n4", "address": "h:1", "http_address": "h"}"#,
                "http_address must be HOST:PORT or https://HOST:PORT, the new node's HTTP API address"
            ),
        ]
        for (body, message) in cases {
            XCTAssertEqual(join(body), .failure(ScheduledDBErrorView(message)), body)
        }
    }

    func testTheClusterEndpointsNeedTheAdminScope() {
        XCTAssertEqual(RouteAccess.of(method: .get, path: "/debug/cluster"), .scope(.admin))
        XCTAssertEqual(RouteAccess.of(method: .post, path: "/join"), .scope(.admin))
        XCTAssertEqual(RouteAccess.of(method: .get, path: "/health"), .open)
    }
}
