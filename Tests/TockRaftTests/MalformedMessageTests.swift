import XCTest

@testable import TockRaft

/// Messages no correct peer sends — as bytes from the Raft port may decode to — are dropped by `step`: the node
/// neither traps nor changes its log, term or vote.
final class RaftMalformedMessageTests: XCTestCase {
    private func follower() -> RaftNode {
        let entries = (1...3).map { Entry(term: 2, index: $0) }
        return RaftNode(
            configuration: RaftConfiguration(id: "n1", randomSeed: 7),
            bootstrap: Membership(voters: ["n1", "n2", "n3"]),
            restoring: PersistentState(hardState: HardState(term: 2, commit: 2), entries: entries))
    }

    func testEachMalformedMessageIsDroppedWithoutEffect() {
        let top = UInt64.max
        let cases: [(String, Message)] = [
            (
                "an append at the top of UInt64",
                Message(
                    kind: .append, from: "n2", to: "n1", term: 3, index: top,
                    logTerm: 2, entries: [Entry(term: 3, index: 0)])
            ),
            (
                "an append response at the top",
                Message(kind: .appendResponse, from: "n2", to: "n1", term: 2, index: top)
            ),
            ("a term at the top", Message(kind: .heartbeat, from: "n2", to: "n1", term: top)),
            ("a commit at the top", Message(kind: .heartbeat, from: "n2", to: "n1", term: 2, commit: top)),
            (
                "entries with a gap",
                Message(
                    kind: .append, from: "n2", to: "n1", term: 3, index: 3, logTerm: 2,
                    entries: [Entry(term: 3, index: 4), Entry(term: 3, index: 6)])
            ),
            // Its entries behind the committed index 2 used to reach the log's "overwrite committed entry" trap.
            (
                "entries before the append's index",
                Message(
                    kind: .append, from: "n2", to: "n1", term: 3, index: 3,
                    logTerm: 2, entries: [Entry(term: 3, index: 2)])
            ),
            (
                "entries out of order",
                Message(
                    kind: .append, from: "n2", to: "n1", term: 3, index: 3, logTerm: 2,
                    entries: [Entry(term: 3, index: 5), Entry(term: 3, index: 4)])
            ),
            (
                "an entry of a later term than the leader's",
                Message(
                    kind: .append, from: "n2", to: "n1", term: 3,
                    index: 3, logTerm: 2,
                    entries: [Entry(term: 9, index: 4)])
            ),
            (
                "terms going back",
                Message(
                    kind: .append, from: "n2", to: "n1", term: 3, index: 3, logTerm: 2,
                    entries: [Entry(term: 3, index: 4), Entry(term: 2, index: 5)])
            ),
            (
                "a previous term after the leader's",
                Message(
                    kind: .append, from: "n2", to: "n1", term: 3, index: 3,
                    logTerm: 4)
            ),
            (
                "entries on a vote",
                Message(
                    kind: .vote, from: "n2", to: "n1", term: 3, index: 3, logTerm: 2,
                    entries: [Entry(term: 3, index: 4)])
            ),
            (
                "a snapshot on a heartbeat",
                Message(
                    kind: .heartbeat, from: "n2", to: "n1", term: 3,
                    snapshot: Snapshot(index: 9, term: 3, membership: Membership(voters: ["n1"])))
            ),
            ("a snapshot message without one", Message(kind: .snapshot, from: "n2", to: "n1", term: 3)),
            (
                "a snapshot without voters",
                Message(
                    kind: .snapshot, from: "n2", to: "n1", term: 3,
                    snapshot: Snapshot(index: 9, term: 3, membership: Membership(voters: [])))
            ),
            ("a message from nobody", Message(kind: .heartbeat, from: "", to: "n1", term: 3)),
            ("a message from itself", Message(kind: .heartbeat, from: "n1", to: "n1", term: 3)),
        ]
        for (why, message) in cases {
            var node = follower()
            let before = (node.term, node.lastIndex, node.hardState, node.role)
            node.step(message)
            XCTAssertEqual(node.term, before.0, why)
            XCTAssertEqual(node.lastIndex, before.1, why)
            XCTAssertEqual(node.hardState, before.2, why)
            XCTAssertEqual(node.role, before.3, why)
            XCTAssertTrue(node.ready().messages.isEmpty, "\(why): answered")
        }
    }

    /// Well formed, but past the end of the leader's log: a correct follower holds only what it was sent. Believed,
    /// such an acknowledgement would commit the leader's next entries before any follower had them.
    func testALeaderIgnoresAnAcknowledgementPastItsLog() {
        var cluster = Cluster(["n1", "n2", "n3"], preVote: true, checkQuorum: true, seed: 3)
        var leader: RaftNode?
        for _ in 0..<400 where leader == nil {
            cluster.tick()
            leader = cluster.nodes.values.first { $0.role == .leader }
        }
        // A copy, cut off from the cluster: nothing it sends arrives, so no follower holds what it appends next.
        guard var node = leader else { return XCTFail("no leader elected") }
        let (last, committed) = (node.lastIndex, node.hardState.commit)
        for peer in ["n1", "n2", "n3"] where peer != node.id {
            node.step(Message(kind: .appendResponse, from: peer, to: node.id, term: node.term, index: last + 5))
        }
        for text in ["a", "b", "c", "d", "e"] { _ = node.propose(Array(text.utf8)) }
        for _ in 0..<3 {
            let ready = node.ready()
            node.advance(ready)
        }
        XCTAssertEqual(node.lastIndex, last + 5)
        XCTAssertEqual(node.hardState.commit, committed, "committed entries no follower holds")
    }

    func testAWellFormedAppendStillApplies() {
        var node = follower()
        node.step(
            Message(
                kind: .append, from: "n2", to: "n1", term: 3, index: 3, logTerm: 2,
                entries: [Entry(term: 3, index: 4), Entry(term: 3, index: 5)], commit: 4))
        XCTAssertEqual(node.lastIndex, 5)
        XCTAssertEqual(node.term, 3)
        XCTAssertEqual(node.ready().messages.first?.index, 5)
    }
}
