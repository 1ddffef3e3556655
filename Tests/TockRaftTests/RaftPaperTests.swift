import XCTest

@testable import TockRaft

/// One test per statement of the Raft paper (Ongaro & Ousterhout, "In Search of an Understandable Consensus
/// Algorithm", extended version), named after it, in the manner of etcd's raft_paper_test.go.
final class RaftPaperTests: XCTestCase {
    let three: [NodeID] = ["n1", "n2", "n3"]

    func entry(_ term: UInt64, _ index: UInt64, _ text: String = "") -> Entry {
        Entry(term: term, index: index, kind: .normal, data: Array(text.utf8))
    }

    /// A node whose disk already holds `entries` at `term`.
    func node(
        _ id: NodeID, term: UInt64, entries: [Entry], commit: UInt64 = 0, voters: [NodeID]? = nil,
        checkQuorum: Bool = false, preVote: Bool = false
    ) -> RaftNode {
        var configuration = RaftConfiguration(id: id, randomSeed: 42)
        configuration.checkQuorum = checkQuorum
        configuration.preVote = preVote
        return RaftNode(
            configuration: configuration, bootstrap: Membership(voters: Set(voters ?? three)),
            restoring: PersistentState(hardState: HardState(term: term, commit: commit), entries: entries))
    }

    // §5.2 "Election Safety: at most one leader can be elected in a given term."
    func testElectionSafety_atMostOneLeaderPerTerm() {
        for seed: UInt64 in 1...50 {
            var cluster = Cluster(["n1", "n2", "n3", "n4", "n5"], preVote: false, checkQuorum: false, seed: seed)
            var leaderOfTerm: [UInt64: NodeID] = [:]
            for _ in 0..<300 {
                cluster.tick()
                for node in cluster.nodes.values where node.role == .leader {
                    XCTAssertEqual(leaderOfTerm[node.term, default: node.id], node.id, "seed \(seed)")
                    leaderOfTerm[node.term] = node.id
                }
            }
            XCTAssertFalse(leaderOfTerm.isEmpty, "seed \(seed): no leader elected")
        }
    }

    // §5.2 "Each server will vote for at most one candidate in a given term, on a first-come-first-served basis."
    func testFollowerVotesForAtMostOneCandidatePerTerm() {
        var follower = node("n1", term: 1, entries: [])
        follower.step(Message(kind: .vote, from: "n2", to: "n1", term: 2))
        follower.step(Message(kind: .vote, from: "n3", to: "n1", term: 2))
        follower.step(Message(kind: .vote, from: "n2", to: "n1", term: 2))
        let responses = follower.ready().messages.map { ($0.to, $0.reject) }
        XCTAssertEqual(responses.map(\.0), ["n2", "n3", "n2"])
        XCTAssertEqual(
            responses.map(\.1), [false, true, false], "only the first candidate of the term, again if it asks")
        XCTAssertEqual(follower.hardState.vote, "n2")
    }

    // §5.2 "Raft uses randomized election timeouts ... chosen randomly from a fixed interval (e.g., 150–300ms)."
    func testElectionTimeoutsAreRandomizedWithinOneToTwoElectionTimeouts() {
        var seen = Set<Int>()
        for seed: UInt64 in 0..<200 {
            var configuration = RaftConfiguration(id: "n1", randomSeed: seed)
            configuration.electionTicks = 10
            var node = RaftNode(configuration: configuration, bootstrap: Membership(voters: Set(three)))
            var ticks = 0
            while node.role == .follower && ticks < 100 {
                node.tick()
                ticks += 1
            }
            XCTAssertTrue((10..<20).contains(ticks), "timed out after \(ticks) ticks")
            seen.insert(ticks)
        }
        XCTAssertGreaterThan(seen.count, 5, "timeouts are not spread: \(seen.sorted())")
    }

    // §5.2 "If the candidate wins the election, it then becomes leader ... each server will vote for at most one."
    func testCandidateWithQuorumOfVotesBecomesLeaderAndAppendsANoOp() {
        var cluster = Cluster(three, preVote: false)
        cluster.campaign("n1")
        XCTAssertEqual(cluster["n1"].role, .leader)
        XCTAssertEqual(cluster["n1"].entries.last?.kind, .noop)
        XCTAssertEqual(cluster["n2"].leader, "n1")
    }

    // §5.2 "If the leader's term is at least as large as the candidate's current term, then the candidate recognizes
    // the leader as legitimate and returns to follower state."
    func testCandidateStepsDownOnHearingFromLeaderOfItsTerm() {
        var candidate = node("n1", term: 1, entries: [])
        while candidate.role != .candidate { candidate.tick() }
        XCTAssertEqual(candidate.role, .candidate)
        let term = candidate.term
        candidate.step(Message(kind: .append, from: "n2", to: "n1", term: term, index: 0, logTerm: 0))
        XCTAssertEqual(candidate.role, .follower)
        XCTAssertEqual(candidate.leader, "n2")
        XCTAssertEqual(candidate.term, term)
    }

    // §5.1 "If a server receives a request with a stale term number, it rejects the request."
    func testFollowerRejectsRequestsWithAStaleTerm() {
        var follower = node("n1", term: 5, entries: [entry(5, 1)], checkQuorum: true)
        follower.step(
            Message(
                kind: .append, from: "n2", to: "n1", term: 4, index: 1, logTerm: 4,
                entries: [entry(4, 2, "stale")]))
        follower.step(Message(kind: .vote, from: "n3", to: "n1", term: 4, index: 9, logTerm: 4))
        let ready = follower.ready()
        XCTAssertEqual(follower.lastIndex, 1, "a stale leader's entries were accepted")
        XCTAssertNil(follower.hardState.vote)
        XCTAssertEqual(ready.messages.first?.term, 5, "the stale leader is told the newer term")
    }

    // §5.1 "If one server's current term is smaller than the other's, then it updates its current term to the larger
    // value. If a candidate or leader discovers that its term is out of date, it immediately reverts to follower."
    func testLeaderDiscoveringAHigherTermRevertsToFollower() {
        var cluster = Cluster(three, preVote: false, checkQuorum: false)
        cluster.campaign("n1")
        var leader = cluster["n1"]
        leader.step(Message(kind: .appendResponse, from: "n2", to: "n1", term: leader.term + 3))
        XCTAssertEqual(leader.role, .follower)
        XCTAssertEqual(leader.term, cluster["n1"].term + 3)
    }

    // §5.3 "Leader Append-Only: a leader never overwrites or deletes entries in its log; it only appends new entries."
    func testLeaderNeverOverwritesOrDeletesItsEntries() {
        var cluster = Cluster(three, preVote: false)
        cluster.campaign("n1")
        _ = cluster.propose("a", at: "n1")
        let before = cluster["n1"].entries
        var leader = cluster["n1"]
        // Rejections and acknowledgements of all sorts change only what the leader sends, not its log.
        leader.step(
            Message(
                kind: .appendResponse, from: "n2", to: "n1", term: leader.term, index: 1, reject: true,
                rejectHint: 0, hintTerm: 0))
        leader.step(Message(kind: .appendResponse, from: "n3", to: "n1", term: leader.term, index: 99))
        leader.step(
            Message(
                kind: .append, from: "n3", to: "n1", term: leader.term - 1, index: 0, logTerm: 0,
                entries: [entry(leader.term - 1, 1, "x")]))
        XCTAssertEqual(Array(leader.entries.prefix(before.count)), before)
    }

    // §5.3 "Log Matching: if two logs contain an entry with the same index and term, then the logs are identical in
    // all entries up through the given index." A follower with a conflicting suffix is made identical to the leader.
    func testLogMatchingFollowerConflictingSuffixIsReplacedByTheLeaders() {
        let leaderLog = [entry(1, 1, "a"), entry(1, 2, "b"), entry(3, 3, "c"), entry(3, 4, "d")]
        let followerLog = [entry(1, 1, "a"), entry(1, 2, "b"), entry(2, 3, "x"), entry(2, 4, "y"), entry(2, 5, "z")]
        var cluster = Cluster(["n1", "n2"], preVote: false, checkQuorum: false)
        cluster["n1"] = node("n1", term: 3, entries: leaderLog, voters: ["n1", "n2"])
        cluster["n2"] = node("n2", term: 2, entries: followerLog, voters: ["n1", "n2"])
        cluster.disks["n1"] = PersistentState(hardState: HardState(term: 3), entries: leaderLog)
        cluster.disks["n2"] = PersistentState(hardState: HardState(term: 2), entries: followerLog)
        cluster.campaign("n1")
        XCTAssertEqual(cluster["n1"].role, .leader)
        _ = cluster.propose("e", at: "n1")
        XCTAssertEqual(cluster["n2"].entries, cluster["n1"].entries)
        XCTAssertEqual(cluster.commands(appliedBy: "n2"), ["a", "b", "c", "d", "e"])
        XCTAssertEqual(cluster.disks["n2"]!.entries, cluster["n1"].entries, "the conflicting suffix stayed on disk")
    }

    // §5.3 "When sending an AppendEntries RPC, the leader includes the index and term of the entry in its log that
    // immediately precedes the new entries. If the follower does not find an entry in its log with the same index and
    // term, then it refuses the new entries."
    func testFollowerRefusesEntriesWhosePredecessorDoesNotMatch() {
        var follower = node("n2", term: 2, entries: [entry(1, 1), entry(2, 2)])
        follower.step(
            Message(kind: .append, from: "n1", to: "n2", term: 3, index: 2, logTerm: 3, entries: [entry(3, 3)]))
        let response = follower.ready().messages.first
        XCTAssertEqual(response?.reject, true)
        XCTAssertEqual(follower.lastIndex, 2)
        XCTAssertEqual(response?.rejectHint, 2, "hint: the follower's last entry with a term ≤ 3")
    }

    // §5.3 optimization: "the follower can include the term of the conflicting entry and the first index it stores for
    // that term ... one AppendEntries RPC will be required for each term with conflicting entries."
    func testFastBacktrackingNeedsAboutOneRoundTripPerConflictingTerm() {
        let common = (1...5).map { entry(1, $0) }
        let leaderLog = common + (6...60).map { entry(4, $0) }
        let followerLog = common + (6...60).map { entry(2, $0) } + (61...90).map { entry(3, $0) }
        var cluster = Cluster(["n1", "n2"], preVote: false, checkQuorum: false)
        cluster["n1"] = node("n1", term: 4, entries: leaderLog, voters: ["n1", "n2"])
        cluster["n2"] = node("n2", term: 3, entries: followerLog, voters: ["n1", "n2"])
        cluster.campaign("n1")
        XCTAssertEqual(cluster["n1"].role, .leader)
        var rejections = 0
        cluster.processAll()
        for _ in 0..<100 {
            let batch = cluster.inFlight
            cluster.inFlight = []
            if batch.isEmpty { break }
            rejections += batch.filter { $0.kind == .appendResponse && $0.reject }.count
            for message in batch { cluster.nodes[message.to]?.step(message) }
            cluster.processAll()
        }
        XCTAssertEqual(cluster["n2"].entries, cluster["n1"].entries)
        XCTAssertLessThanOrEqual(rejections, 3, "backtracked one index at a time: \(rejections) rejections")
    }

    // §5.4.1 "the voter denies its vote if its own log is more up-to-date than that of the candidate" — which gives
    // Leader Completeness: a leader holds every committed entry.
    func testVoterDeniesACandidateWithALessUpToDateLog() {
        let cases: [(index: UInt64, term: UInt64, granted: Bool)] = [
            (2, 1, false),  // older last term
            (1, 2, false),  // same last term, shorter
            (2, 2, true),  // same
            (3, 2, true),  // longer
            (1, 3, true),  // newer last term wins even if shorter
        ]
        for c in cases {
            var voter = node("n1", term: 2, entries: [entry(1, 1), entry(2, 2)])
            voter.step(Message(kind: .vote, from: "n2", to: "n1", term: 3, index: c.index, logTerm: c.term))
            XCTAssertEqual(voter.ready().messages.first?.reject, !c.granted, "candidate last (\(c.index), \(c.term))")
        }
    }

    // §5.4 Leader Completeness: "if a log entry is committed in a given term, then that entry will be present in the
    // logs of the leaders for all higher-numbered terms." The follower that missed the entry cannot win; the one
    // that has it does, and still has it.
    func testLeaderCompletenessEveryLaterLeaderHoldsTheCommittedEntry() {
        var cluster = Cluster(three, preVote: false, checkQuorum: false)
        cluster.campaign("n1")
        cluster.isolated = ["n3"]
        let index = cluster.propose("committed", at: "n1")!
        XCTAssertEqual(cluster["n1"].commitIndex, index)
        let entry = cluster["n1"].entry(at: index)

        // The leader dies; the follower that missed the entry campaigns first and is refused.
        cluster.isolated = ["n1"]
        cluster.campaign("n3")
        XCTAssertNotEqual(cluster["n3"].role, .leader, "a candidate without the committed entry won")
        cluster.campaign("n2")
        XCTAssertEqual(cluster["n2"].role, .leader)
        XCTAssertGreaterThan(cluster["n2"].term, 1)
        XCTAssertEqual(cluster["n2"].entry(at: index), entry)
        _ = cluster.propose("later", at: "n2")
        XCTAssertEqual(cluster["n3"].entry(at: index), entry, "the new leader brought n3 the committed entry")
    }

    // §5.3 "A log entry is committed once the leader that created the entry has replicated it on a majority of the
    // servers."
    func testLeaderCommitsAnEntryOnceAMajorityStoresIt() {
        var cluster = Cluster(three, preVote: false, checkQuorum: false)
        cluster.campaign("n1")
        cluster.isolated = ["n3"]
        let index = cluster.propose("x", at: "n1")!
        XCTAssertEqual(cluster["n1"].commitIndex, index, "n1 + n2 are a majority")
        cluster.isolated = ["n2", "n3"]
        let alone = cluster.propose("y", at: "n1")!
        XCTAssertEqual(cluster["n1"].commitIndex, index, "committed \(alone) with only the leader")
    }

    // §5.4.2 and Figure 8: "Raft never commits log entries from previous terms by counting replicas. Only log entries
    // from the leader's current term are committed by counting replicas."
    func testFigure8LeaderDoesNotCommitAnOldTermEntryByCountingReplicas() {
        // s1 leads term 4 with an entry of term 2 at index 2 that s2 also holds (a majority of 3), but nothing of term 4
        // has reached anyone yet.
        let log = [entry(1, 1), entry(2, 2, "old")]
        var leader = node("n1", term: 3, entries: log)
        while leader.role != .candidate { leader.tick() }
        XCTAssertEqual(leader.term, 4)
        leader.step(Message(kind: .voteResponse, from: "n2", to: "n1", term: 4))
        XCTAssertEqual(leader.role, .leader)
        let ready = leader.ready()
        leader.advance(ready)  // the no-op of term 4 is durable on n1 only
        leader.step(Message(kind: .appendResponse, from: "n2", to: "n1", term: 4, index: 2))
        XCTAssertEqual(leader.commitIndex, 0, "committed a term-2 entry by counting replicas")
        leader.step(Message(kind: .appendResponse, from: "n2", to: "n1", term: 4, index: 3))
        XCTAssertEqual(leader.commitIndex, 3, "committing the term-4 no-op commits everything before it")
    }

    // §5.3 "the leader ... includes [its commit index] in future AppendEntries RPCs (including heartbeats) so that the
    // other servers eventually find out. Once a follower learns that a log entry is committed, it applies the entry."
    func testFollowersLearnTheCommitIndexAndApplyInOrder() {
        var cluster = Cluster(three, preVote: false)
        cluster.campaign("n1")
        for text in ["a", "b", "c"] { _ = cluster.propose(text, at: "n1") }
        cluster.tick(times: 2)
        for id in three { XCTAssertEqual(cluster.commands(appliedBy: id), ["a", "b", "c"], id) }
    }

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
