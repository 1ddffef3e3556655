import Foundation
import TockRaft
import TockTestSupport
import XCTest

/// Many seeded runs of whole clusters under faults, per cluster size: the fixed seeds 1...300 and 100 fresh ones
/// each run (`SimulationSeeds` says how to run more, or replay one).
final class SimulationTests: XCTestCase {
    /// Runs every seed; the first failure is reported with the command that replays it.
    func runAll(nodeCount: Int, test: String = #function) {
        let seeds = SimulationSeeds(fixed: 300, fresh: 100, longFresh: 20_000)
        seeds.announce("Raft simulation, \(nodeCount) nodes")
        for seed in seeds.all {
            var simulation = Simulation(seed: seed, nodeCount: nodeCount)
            do {
                try simulation.run()
            } catch {
                XCTFail(
                    """
                    \(nodeCount) nodes, \(error)
                    replay: \(SimulationSeeds.replay(seed: seed, testClass: "SimulationTests", test: test))
                    """)
                return
            }
        }
    }

    func testThreeNodeClustersKeepEveryInvariantUnderFaults() { runAll(nodeCount: 3) }

    func testFiveNodeClustersKeepEveryInvariantUnderFaults() { runAll(nodeCount: 5) }

    /// The checkers themselves must be able to fail: a node that applies a different command than the others is caught.
    func testTheStateMachineCheckerCatchesDivergence() {
        var simulation = Simulation(seed: 7, nodeCount: 3)
        for _ in 0..<100 { try? simulation.step() }
        let index = (simulation.digestAt.keys.max() ?? 0) + 1
        for id in ["n1", "n2"] {
            simulation.nodes[id]!.appliedIndex = index - 1
            simulation.nodes[id]!.digest = simulation.digestAt[index - 1] ?? 0
        }
        do {
            try simulation.apply(.init(term: 99, index: index, data: [1]), on: "n1")
            try simulation.apply(.init(term: 99, index: index, data: [2]), on: "n2")
            XCTFail("divergent commands at one index went unnoticed")
        } catch {
            XCTAssertTrue(error.description.contains("state-machine safety"), error.description)
        }
    }
}

extension SimulationTests {
    /// And the read checker: a read served below a command acknowledged before it was asked is caught, and so is a
    /// read served twice.
    func testTheReadCheckerCatchesAStaleRead() {
        var simulation = Simulation(seed: 1, nodeCount: 3)
        simulation.openReads[1] = (node: "n1", floor: 10)
        XCTAssertThrowsError(try simulation.serve(ReadState(index: 9, context: 1), on: "n1")) { error in
            XCTAssertTrue("\(error)".contains("stale read"), "\(error)")
        }
        simulation.openReads[2] = (node: "n1", floor: 10)
        XCTAssertNoThrow(try simulation.serve(ReadState(index: 10, context: 2), on: "n1"))
        XCTAssertThrowsError(try simulation.serve(ReadState(index: 10, context: 2), on: "n1"))
    }

    /// And the log-matching checker: two logs that agree at an index but differ below it are caught.
    func testTheLogMatchingCheckerCatchesADivergentPrefix() {
        let simulation = Simulation(seed: 1, nodeCount: 2)
        func node(_ id: String, _ entries: [Entry]) -> RaftNode {
            RaftNode(
                configuration: RaftConfiguration(id: id, randomSeed: 1), bootstrap: Membership(voters: ["n1", "n2"]),
                restoring: PersistentState(hardState: HardState(term: 2), entries: entries))
        }
        let a = node("n1", [Entry(term: 1, index: 1, data: [1]), Entry(term: 2, index: 2)])
        let b = node("n2", [Entry(term: 1, index: 1, data: [9]), Entry(term: 2, index: 2)])
        XCTAssertThrowsError(try simulation.checkLogMatching(a, b))
        XCTAssertNoThrow(try simulation.checkLogMatching(a, a))
    }
}

extension SimulationTests {
    /// And the liveness checker: a command accepted on a healed network and never committed is caught once the
    /// bound has passed, and so is one whose index a later entry of the same term took (a dropped proposal).
    func testTheLivenessCheckerCatchesACommandNeverCommitted() throws {
        var simulation = Simulation(seed: 3, nodeCount: 3)
        simulation.heal()
        simulation.proposing = false
        for _ in 0..<100 { try simulation.step() }
        let leader = try XCTUnwrap(simulation.leaderID)
        let term = simulation.nodes[leader]!.core!.term
        simulation.awaitingCommit.append(
            .init(
                data: [1], index: 1_000_000, term: term, leader: leader,
                at: simulation.now))
        XCTAssertThrowsError(try simulation.awaitAcceptedCommands()) { error in
            XCTAssertTrue("\(error)".contains("not committed within \(Simulation.commitBound) ticks"), "\(error)")
        }

        var dropped = Simulation(seed: 3, nodeCount: 3)
        dropped.heal()
        for _ in 0..<200 { try dropped.step() }
        let index = try XCTUnwrap(dropped.acknowledged.keys.max())
        let committedTerm = try XCTUnwrap(dropped.committedTerm[index])
        dropped.awaitingCommit.append(
            .init(data: [2], index: index, term: committedTerm, leader: "n1", at: dropped.now))
        XCTAssertThrowsError(try dropped.checkLiveness()) { error in
            XCTAssertTrue("\(error)".contains("the proposal was dropped"), "\(error)")
        }
    }

    /// The faults the simulation claims happen: leadership transfers, learners added, promoted and removed, a
    /// leader removing itself, commands committed on a healed network.
    func testTheFaultsIncludeTransfersAndMembershipChanges() throws {
        var total = Simulation.Stats()
        for seed in UInt64(1)...20 {
            var simulation = Simulation(seed: seed, nodeCount: 3)
            try simulation.run()
            total.transfers += simulation.stats.transfers
            total.learnersAdded += simulation.stats.learnersAdded
            total.promotions += simulation.stats.promotions
            total.removals += simulation.stats.removals
            total.longestCommit = max(total.longestCommit, simulation.stats.longestCommit)
            total.commandsCommittedWhenCalm += simulation.stats.commandsCommittedWhenCalm
            total.commandsReplaced += simulation.stats.commandsReplaced
            total.leadersRemoved += simulation.stats.leadersRemoved
            XCTAssertGreaterThan(simulation.stats.commandsCommittedWhenCalm, 20, "seed \(seed)")
        }
        XCTAssertGreaterThan(total.transfers, 20)
        XCTAssertGreaterThan(total.learnersAdded, 20)
        XCTAssertGreaterThan(total.promotions, 2)
        XCTAssertGreaterThan(total.removals, 10)
        XCTAssertGreaterThan(total.leadersRemoved, 0, "a leader removed itself")
        print("20 seeds: \(total)")
    }
}
