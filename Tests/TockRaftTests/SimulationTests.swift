import Foundation
import TockRaft
import XCTest

/// Many seeded runs of whole clusters under faults. `TOCK_SIM_SEEDS` sets how many seeds per cluster size
/// (default 1000); `TOCK_SIM_SEED` replays one.
final class SimulationTests: XCTestCase {
    var seeds: [UInt64] {
        let environment = ProcessInfo.processInfo.environment
        if let one = environment["TOCK_SIM_SEED"].flatMap(UInt64.init) { return [one] }
        let count = environment["TOCK_SIM_SEEDS"].flatMap(UInt64.init) ?? 1000
        return Array(1...count)
    }

    func runAll(nodeCount: Int) {
        for seed in seeds {
            var simulation = Simulation(seed: seed, nodeCount: nodeCount)
            do {
                try simulation.run()
            } catch {
                XCTFail("\(nodeCount) nodes, \(error)")
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
            RaftNode(configuration: RaftConfiguration(id: id, randomSeed: 1), bootstrap: Membership(voters: ["n1", "n2"]),
                     restoring: PersistentState(hardState: HardState(term: 2), entries: entries))
        }
        let a = node("n1", [Entry(term: 1, index: 1, data: [1]), Entry(term: 2, index: 2)])
        let b = node("n2", [Entry(term: 1, index: 1, data: [9]), Entry(term: 2, index: 2)])
        XCTAssertThrowsError(try simulation.checkLogMatching(a, b))
        XCTAssertNoThrow(try simulation.checkLogMatching(a, a))
    }
}
