import XCTest

@testable import TockRaft

/// Beyond the paper's core: the thesis's pre-vote, check-quorum, leadership transfer and membership changes,
/// snapshots to lagging or joining nodes (§7), and restart from disk.
extension RaftPaperTests {
    // §9.6 (thesis) "Pre-vote: a server that was partitioned does not disrupt the cluster when it rejoins."
    func testPreVoteKeepsARejoiningNodeFromDisruptingTheLeader() {
        var cluster = Cluster(three)
        let leader = cluster.electLeader()!
        let term = cluster[leader].term
        let loner = three.first { $0 != leader }!
        cluster.isolated = [loner]
        cluster.tick([loner], times: 100)
        XCTAssertEqual(cluster[loner].term, term, "pre-vote let the isolated node raise its term")
        cluster.isolated = []
        cluster.tick(times: 30)
        XCTAssertEqual(cluster[leader].role, .leader)
        XCTAssertEqual(cluster[leader].term, term)
    }

    // §6.2 (thesis) check-quorum: "a leader steps down if an election timeout elapses without a successful round of
    // heartbeats to a majority of its cluster."
    func testCheckQuorumPartitionedLeaderStepsDown() {
        var cluster = Cluster(three)
        let leader = cluster.electLeader()!
        cluster.isolated = [leader]
        cluster.tick([leader], times: 25)
        XCTAssertEqual(cluster[leader].role, .follower)
        let others = three.filter { $0 != leader }
        for _ in 0..<200 {
            if others.contains(where: { cluster[$0].role == .leader }) { break }
            cluster.tick(others)
        }
        XCTAssertTrue(others.contains { cluster[$0].role == .leader }, "the majority elected no new leader")
    }

    // §3.10 (thesis) leadership transfer: "the prior leader sends its log entries to the target server, then the target
    // server runs an election without waiting for an election timeout to elapse."
    func testLeadershipTransferMakesTheTargetLeaderWithoutAnElectionTimeout() {
        var cluster = Cluster(three)
        let leader = cluster.electLeader()!
        _ = cluster.propose("before", at: leader)
        let target = three.first { $0 != leader }!
        XCTAssertTrue(cluster.nodes[leader]!.transferLeadership(to: target))
        cluster.settle()
        XCTAssertEqual(cluster[target].role, .leader)
        XCTAssertEqual(cluster[leader].role, .follower)
        XCTAssertNotNil(cluster.propose("after", at: target))
        cluster.tick(times: 2)
        for id in three { XCTAssertEqual(cluster.commands(appliedBy: id), ["before", "after"], id) }
    }

    // §7 "the leader must occasionally send snapshots to followers that lag behind ... InstallSnapshot."
    func testLaggingFollowerIsCaughtUpBySnapshotAfterCompaction() {
        var cluster = Cluster(three)
        let leader = cluster.electLeader()!
        let lagging = three.first { $0 != leader }!
        cluster.isolated = [lagging]
        for i in 0..<20 { _ = cluster.propose("c\(i)", at: leader) }
        let applied = cluster[leader].appliedIndex
        cluster.compact(leader, through: applied, data: Array("state@\(applied)".utf8))
        XCTAssertEqual(cluster[leader].firstIndex, applied + 1)
        cluster.isolated = []
        cluster.tick(times: 3)
        XCTAssertEqual(cluster.disks[lagging]!.snapshot?.index, applied)
        XCTAssertEqual(cluster.snapshotData[lagging]?[applied], Array("state@\(applied)".utf8))
        _ = cluster.propose("after", at: leader)
        cluster.tick(times: 2)
        XCTAssertEqual(cluster.commands(appliedBy: lagging).last, "after")
        XCTAssertEqual(cluster[lagging].commitIndex, cluster[leader].commitIndex)
    }

    // §4.1 (thesis) single-server membership changes: add a learner, let it catch up, promote it, remove a node.
    func testMembershipChangesOneServerAtATime() {
        var cluster = Cluster(three)
        let leader = cluster.electLeader()!
        _ = cluster.propose("a", at: leader)
        var configuration = RaftConfiguration(id: "n4", randomSeed: 9)
        configuration.electionTicks = 10
        cluster.nodes["n4"] = RaftNode(configuration: configuration, bootstrap: Membership(voters: Set(three)))
        cluster.disks["n4"] = PersistentState()
        XCTAssertNotNil(cluster.nodes[leader]!.proposeMembershipChange(.addLearner("n4")))
        XCTAssertNil(cluster.nodes[leader]!.proposeMembershipChange(.promote("n4")), "two changes at once")
        cluster.tick(times: 3)
        XCTAssertEqual(cluster.commands(appliedBy: "n4"), ["a"], "the learner caught up")
        XCTAssertEqual(cluster[leader].membership.learners, ["n4"])
        XCTAssertNotNil(cluster.nodes[leader]!.proposeMembershipChange(.promote("n4")))
        cluster.tick(times: 3)
        XCTAssertEqual(cluster[leader].membership.voters, Set(three + ["n4"]))
        let removed = three.first { $0 != leader }!
        XCTAssertNotNil(cluster.nodes[leader]!.proposeMembershipChange(.remove(removed)))
        cluster.tick(times: 3)
        XCTAssertFalse(cluster[leader].membership.all.contains(removed))
        cluster.isolated = [removed]
        _ = cluster.propose("b", at: leader)
        cluster.tick(times: 2)
        XCTAssertEqual(cluster.commands(appliedBy: "n4"), ["a", "b"])
        XCTAssertEqual(cluster[leader].role, .leader)
    }

    // A node that joins knowing no membership takes no entries until a snapshot tells it who the voters are, so it
    // can never count itself as the only voter; after the snapshot it follows like any other.
    func testAJoiningNodeWithoutMembershipWaitsForASnapshot() {
        var cluster = Cluster(three)
        let leader = cluster.electLeader()!
        _ = cluster.propose("a", at: leader)
        cluster.tick(times: 2)
        var configuration = RaftConfiguration(id: "n4", randomSeed: 9)
        configuration.electionTicks = 10
        cluster.nodes["n4"] = RaftNode(configuration: configuration, bootstrap: Membership(voters: []))
        cluster.disks["n4"] = PersistentState()
        XCTAssertNotNil(cluster.nodes[leader]!.proposeMembershipChange(.addLearner("n4")))
        cluster.tick(times: 3)
        XCTAssertEqual(cluster["n4"].lastIndex, 0, "entries taken without a membership")
        XCTAssertEqual(cluster[leader].membership.learners, ["n4"])

        let applied = cluster[leader].appliedIndex
        cluster.compact(leader, through: applied, data: Array("state@\(applied)".utf8))
        cluster.tick(times: 3)
        XCTAssertEqual(cluster.disks["n4"]!.snapshot?.index, applied)
        XCTAssertEqual(cluster["n4"].membership.voters, Set(three))
        XCTAssertNotNil(cluster.nodes[leader]!.proposeMembershipChange(.promote("n4")))
        _ = cluster.propose("b", at: leader)
        cluster.tick(times: 3)
        XCTAssertEqual(cluster["n4"].membership.voters, Set(three + ["n4"]))
        XCTAssertEqual(cluster["n4"].commitIndex, cluster[leader].commitIndex)
        XCTAssertEqual(cluster[leader].role, .leader)
    }

    // A node restarted from its disk keeps its term, vote and log (what must survive a crash, §5 Figure 2).
    func testRestartFromDiskKeepsTermVoteAndLog() {
        var cluster = Cluster(three)
        let leader = cluster.electLeader()!
        _ = cluster.propose("durable", at: leader)
        let follower = three.first { $0 != leader }!
        let disk = cluster.disks[follower]!
        var configuration = RaftConfiguration(id: follower, randomSeed: 3)
        configuration.electionTicks = 10
        let restarted = RaftNode(
            configuration: configuration, bootstrap: Membership(voters: Set(three)), restoring: disk)
        XCTAssertEqual(restarted.term, cluster[follower].term)
        XCTAssertEqual(restarted.hardState.vote, cluster[follower].hardState.vote)
        XCTAssertEqual(restarted.entries, cluster[follower].entries)
    }
}
