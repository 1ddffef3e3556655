import XCTest

@testable import TockRaft

/// Linearizable reads by read index (Raft thesis §6.4; etcd's ReadIndex with ReadOnlySafe), one test per step of
/// the thesis's procedure or per way it could go wrong.
final class ReadIndexTests: XCTestCase {
    let three: [NodeID] = ["n1", "n2", "n3"]
    let five: [NodeID] = ["n1", "n2", "n3", "n4", "n5"]

    /// A cluster led by n1, with its no-op and one command committed everywhere.
    func ledByN1(_ ids: [NodeID], checkQuorum: Bool = true) -> Cluster {
        var cluster = Cluster(ids, checkQuorum: checkQuorum)
        cluster.campaign("n1")
        XCTAssertEqual(cluster["n1"].role, .leader)
        XCTAssertNotNil(cluster.propose("a", at: "n1"))
        XCTAssertEqual(cluster["n1"].commitIndex, 2)
        return cluster
    }

    // §6.4 step 3: "The leader sends heartbeats to the other servers; once a majority acknowledges them, the leader
    // knows it was still the leader when it received the read request."
    func testReadIsServedOnlyAfterAQuorumAcknowledgesTheLeadersHeartbeat() {
        var cluster = ledByN1(three)
        XCTAssertTrue(cluster["n1"].requestRead(context: 7))
        cluster.process("n1")
        XCTAssertEqual(cluster.readStates["n1", default: []], [], "the leader alone is no quorum of three")
        let heartbeats = cluster.inFlight.filter { $0.kind == .heartbeat }
        XCTAssertEqual(Set(heartbeats.map(\.to)), ["n2", "n3"])
        XCTAssertTrue(heartbeats.allSatisfy { $0.context != 0 }, "heartbeats of a read round carry it")

        // Only n2 answers: with the leader that is two of three.
        cluster.inFlight = heartbeats.filter { $0.to == "n2" }
        cluster.deliverOnce()
        let response = cluster.inFlight.first { $0.kind == .heartbeatResponse }
        XCTAssertEqual(response?.context, heartbeats[0].context, "the follower echoes the round")
        XCTAssertEqual(cluster.readStates["n1", default: []], [], "not before the answer reaches the leader")
        cluster.deliverOnce()
        XCTAssertEqual(cluster.readStates["n1", default: []], [ReadState(index: 2, context: 7)])
    }

    // §6.4 step 1: the read index is the commit index when the request arrives, not what commits later.
    func testReadIndexIsTheCommitIndexWhenTheReadWasRequested() {
        var cluster = ledByN1(three)
        XCTAssertTrue(cluster["n1"].requestRead(context: 1))
        XCTAssertNotNil(cluster["n1"].propose(Array("b".utf8)))
        cluster.settle()
        XCTAssertEqual(cluster["n1"].commitIndex, 3)
        XCTAssertEqual(cluster.readStates["n1", default: []], [ReadState(index: 2, context: 1)])
    }

    // §6.4: without a quorum's acknowledgement no read is served, however long the leader waits.
    func testLeaderCutOffFromEveryoneServesNoRead() {
        var cluster = ledByN1(three, checkQuorum: false)
        cluster.isolated = ["n1"]
        XCTAssertTrue(cluster["n1"].requestRead(context: 1))
        cluster.tick(["n1"], times: 50)
        XCTAssertEqual(cluster["n1"].role, .leader, "without check-quorum it never learns it is cut off")
        XCTAssertEqual(cluster.readStates["n1", default: []], [])
    }

    // §6.4: "a leader ... might have been deposed without knowing it": a stale leader in a minority must never serve
    // a read, even while the majority elects a new leader and commits a write the stale one does not have.
    func testStaleLeaderInAMinorityPartitionNeverServesARead() {
        for checkQuorum in [false, true] {
            var cluster = ledByN1(five, checkQuorum: checkQuorum)
            cluster.partition = [["n1", "n2"], ["n3", "n4", "n5"]]
            XCTAssertTrue(cluster["n1"].requestRead(context: 1))
            cluster.settle()

            var newLeader: NodeID?
            for _ in 0..<200 where newLeader == nil {
                cluster.tick()
                if cluster["n1"].role == .leader { XCTAssertTrue(cluster["n1"].requestRead(context: 2)) }
                newLeader = ["n3", "n4", "n5"].first { cluster[$0].role == .leader }
            }
            guard let newLeader else { return XCTFail("checkQuorum \(checkQuorum): the majority elected nobody") }
            let write = cluster.propose("b", at: newLeader)
            XCTAssertNotNil(write)
            XCTAssertGreaterThanOrEqual(cluster[newLeader].commitIndex, write ?? .max)

            if cluster["n1"].role == .leader { XCTAssertTrue(cluster["n1"].requestRead(context: 3)) }
            cluster.tick(["n1", "n2"], times: 30)
            XCTAssertEqual(cluster.readStates["n1", default: []], [], "checkQuorum \(checkQuorum)")
            if checkQuorum {
                XCTAssertNotEqual(cluster["n1"].role, .leader, "a leader that hears no quorum steps down")
            } else {
                XCTAssertEqual(cluster["n1"].role, .leader, "the stale leader still thinks it leads")
            }

            // Healed, n1 learns the newer term; its pending reads are dropped, never served.
            cluster.partition = nil
            cluster.tick(times: 5)
            XCTAssertNotEqual(cluster["n1"].role, .leader)
            XCTAssertEqual(cluster.readStates["n1", default: []], [], "checkQuorum \(checkQuorum)")
            XCTAssertFalse(cluster["n1"].requestRead(context: 4))
        }
    }

    // §6.4 step 1: "If the leader has not yet marked an entry from its current term committed, it waits until it
    // has", since until then its commit index may be below what an earlier leader committed.
    func testReadRightAfterElectionWaitsForTheNoOpToCommit() {
        var cluster = Cluster(three, preVote: false)
        // Everyone holds two entries of term 1, committed by a leader now gone, but nobody knows they are committed.
        for id in three {
            let entries = [Entry(term: 1, index: 1, data: [1]), Entry(term: 1, index: 2, data: [2])]
            var configuration = RaftConfiguration(id: id, randomSeed: 3)
            configuration.preVote = false
            let state = PersistentState(hardState: HardState(term: 1), entries: entries)
            cluster.nodes[id] = RaftNode(
                configuration: configuration, bootstrap: Membership(voters: Set(three)),
                restoring: state)
            cluster.disks[id] = state
        }
        cluster.becomeLeaderStepByStep("n2")
        XCTAssertEqual(cluster["n2"].commitIndex, 0)

        XCTAssertTrue(cluster["n2"].requestRead(context: 5))
        // Heartbeats and their answers alone do not serve it: the index is not known yet.
        cluster["n2"].tick()
        cluster.processAll()
        cluster.inFlight.removeAll { $0.kind != .heartbeat }
        cluster.deliverOnce()
        cluster.deliverOnce()
        XCTAssertEqual(cluster.readStates["n2", default: []], [])

        cluster.settle()
        XCTAssertEqual(cluster["n2"].commitIndex, 3, "the no-op of term 2 committed")
        XCTAssertEqual(
            cluster.readStates["n2", default: []], [ReadState(index: 3, context: 5)],
            "served with the commit index it had once the no-op committed, which covers entries 1 and 2")
    }

    func testFollowersAndCandidatesRefuseReads() {
        var cluster = ledByN1(three)
        XCTAssertFalse(cluster["n2"].requestRead(context: 1))
        XCTAssertFalse(cluster["n2"].hasReady, "a refused read leaves nothing to do")
        var candidate = cluster["n3"]
        candidate.campaign(.election)
        XCTAssertEqual(candidate.role, .candidate)
        XCTAssertFalse(candidate.requestRead(context: 1))
    }

    func testSingleVoterServesReadsAtOnce() {
        var cluster = Cluster(["n1"])
        for _ in 0..<cluster["n1"].randomizedElectionTimeout { cluster["n1"].tick() }
        XCTAssertEqual(cluster["n1"].role, .leader)
        // Its no-op is not durable yet, so not committed: the read waits for it.
        XCTAssertTrue(cluster["n1"].requestRead(context: 1))
        XCTAssertEqual(cluster["n1"].commitIndex, 0)
        cluster.process("n1")
        XCTAssertEqual(cluster["n1"].commitIndex, 1)
        cluster.process("n1")
        XCTAssertEqual(cluster.readStates["n1", default: []], [ReadState(index: 1, context: 1)])

        // Once its term has a commit, a read needs no one else and no message.
        XCTAssertTrue(cluster["n1"].requestRead(context: 2))
        let ready = cluster["n1"].ready()
        XCTAssertEqual(ready.readStates, [ReadState(index: 1, context: 2)])
        XCTAssertTrue(ready.messages.isEmpty)
        XCTAssertFalse(ready.isEmpty)
        cluster["n1"].advance(ready)
        XCTAssertFalse(cluster["n1"].hasReady, "a read state is handed out once")
    }

    // etcd's readOnly queue: an acknowledgement of a later request also acknowledges every earlier one.
    func testOneAnswerConfirmsEveryEarlierReadAndNoLaterOne() {
        var cluster = ledByN1(three)
        for context: UInt64 in [1, 2, 3] { XCTAssertTrue(cluster["n1"].requestRead(context: context)) }
        cluster.process("n1")
        let rounds = cluster.inFlight.filter { $0.kind == .heartbeat && $0.to == "n2" }.map(\.context)
        XCTAssertEqual(rounds.count, 3)
        XCTAssertEqual(Set(rounds).count, 3, "each request opens its own round")
        let all = cluster.inFlight

        // n2 answers the first round only: the first read is served, the others wait.
        cluster.inFlight = all.filter { $0.to == "n2" && $0.context == rounds[0] }
        cluster.deliverOnce()
        cluster.deliverOnce()
        XCTAssertEqual(cluster.readStates["n1", default: []], [ReadState(index: 2, context: 1)])

        // n3 answers the last round: that confirms the second read too.
        cluster.inFlight = all.filter { $0.to == "n3" && $0.context == rounds[2] }
        cluster.deliverOnce()
        cluster.deliverOnce()
        XCTAssertEqual(cluster.readStates["n1", default: []].map(\.context), [1, 2, 3])
    }

    /// Every heartbeat carries the newest unconfirmed round, so a read survives the loss of its own heartbeats.
    func testLostReadHeartbeatsAreMadeUpForByTheNextHeartbeat() {
        var cluster = ledByN1(three)
        XCTAssertTrue(cluster["n1"].requestRead(context: 9))
        cluster.process("n1")
        cluster.inFlight = []
        XCTAssertEqual(cluster.readStates["n1", default: []], [])
        cluster.tick(["n1"])
        XCTAssertEqual(cluster.readStates["n1", default: []], [ReadState(index: 2, context: 9)])
    }

    /// Rounds are the leader's, not the driver's contexts: a late answer to an old round cannot confirm a newer read
    /// that happens to reuse its context.
    func testLateAnswerToAnOldRoundDoesNotConfirmANewerRead() {
        var cluster = ledByN1(three)
        XCTAssertTrue(cluster["n1"].requestRead(context: 7))
        cluster.process("n1")
        let firstRound = cluster.inFlight
        cluster.settle()
        XCTAssertEqual(cluster.readStates["n1", default: []], [ReadState(index: 2, context: 7)])

        // The same context again, after a write; then only late answers to the first round arrive.
        XCTAssertNotNil(cluster.propose("b", at: "n1"))
        XCTAssertTrue(cluster["n1"].requestRead(context: 7))
        cluster.process("n1")
        cluster.inFlight = firstRound
        cluster.deliverOnce()
        cluster.deliverOnce()
        XCTAssertEqual(
            cluster.readStates["n1", default: []], [ReadState(index: 2, context: 7)],
            "the second read must wait for an answer sent after it was requested")
        cluster.tick(["n1"])
        XCTAssertEqual(
            cluster.readStates["n1", default: []],
            [
                ReadState(index: 2, context: 7),
                ReadState(index: 3, context: 7),
            ])
    }

    /// Learners receive heartbeats but do not count toward the quorum.
    func testLearnersDoNotConfirmReads() {
        var cluster = Cluster(three)
        let membership = Membership(voters: ["n1", "n2"], learners: ["n3"])
        for id in three {
            cluster.nodes[id] = RaftNode(configuration: RaftConfiguration(id: id, randomSeed: 5), bootstrap: membership)
        }
        cluster.campaign("n1")
        XCTAssertEqual(cluster["n1"].role, .leader)
        XCTAssertEqual(cluster["n3"].lastIndex, 1, "the learner follows the log")

        XCTAssertTrue(cluster["n1"].requestRead(context: 1))
        cluster.process("n1")
        let heartbeats = cluster.inFlight
        XCTAssertEqual(Set(heartbeats.map(\.to)), ["n2", "n3"])
        cluster.inFlight = heartbeats.filter { $0.to == "n3" }
        cluster.deliverOnce()
        cluster.deliverOnce()
        XCTAssertEqual(cluster.readStates["n1", default: []], [], "a learner's answer is no vote")
        cluster.inFlight = heartbeats.filter { $0.to == "n2" }
        cluster.deliverOnce()
        cluster.deliverOnce()
        XCTAssertEqual(cluster.readStates["n1", default: []], [ReadState(index: 1, context: 1)])
    }
}

extension Cluster {
    /// Delivers the messages in flight now, once, and processes what they cause; new messages stay in flight.
    mutating func deliverOnce() {
        let batch = inFlight
        inFlight = []
        for message in batch where connected(message.from, message.to) { nodes[message.to]?.step(message) }
        processAll()
    }

    /// Elects `id` (without pre-vote) one message hop at a time, stopping as soon as it leads, before its no-op
    /// reaches anyone.
    mutating func becomeLeaderStepByStep(_ id: NodeID) {
        for _ in 0..<nodes[id]!.randomizedElectionTimeout { nodes[id]!.tick() }
        process(id)
        deliverOnce()
        let answers = inFlight
        inFlight = []
        for message in answers { nodes[message.to]?.step(message) }
        inFlight = []
        nodes[id]!.outbox = []
    }
}
