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
}
