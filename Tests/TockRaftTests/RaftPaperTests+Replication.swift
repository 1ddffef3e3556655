import XCTest

@testable import TockRaft

/// The paper's log replication and safety (§5.3, §5.4): append-only leaders, log matching, backtracking,
/// up-to-date votes, leader completeness and commitment (Figure 8).
extension RaftPaperTests {
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
}
