import Foundation
import TockTestSupport
import XCTest

@testable import TockShard

/// The SQLite-backed Raft driver under simulated faults (`DriverSimulation`): the fixed seeds 1...10 and five fresh
/// seeds each run; `SimulationSeeds` says how to run more, or replay one.
final class DriverSimulationTests: XCTestCase {
    func testAcknowledgedSubmitsAreOnEveryNodeAfterFaults() async throws {
        let seeds = SimulationSeeds(fixed: 10, fresh: 5, longFresh: 200)
        seeds.announce("Raft driver simulation")
        var acknowledged = 0
        var restarts = 0
        var snapshotsCopied = 0
        for seed in seeds.all {
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("tock-driver-sim-\(seed)-\(UUID())")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            var simulation = DriverSimulation(seed: seed, directory: directory)
            do {
                try await simulation.run()
            } catch {
                return XCTFail(
                    """
                    \(error)
                    replay: \(SimulationSeeds.replay(seed: seed, testClass: "DriverSimulationTests", test: #function))
                    """)
            }
            acknowledged += simulation.clients.state.withLock { $0.acknowledged.count }
            restarts += simulation.restarts
            snapshotsCopied += simulation.network.counts.snapshotsCopied
        }
        print(
            "driver simulation: \(seeds.all.count) seeds, \(acknowledged) submits acknowledged, "
                + "\(restarts) restarts, \(snapshotsCopied) snapshots sent")
        // The run means something only if jobs were acknowledged through the faults it claims (over many seeds:
        // one replayed alone may be all faults).
        guard seeds.all.count > 1 else { return }
        XCTAssertGreaterThan(acknowledged, 40 * seeds.all.count)
        XCTAssertGreaterThan(restarts, seeds.all.count, "nodes restarted from their files")
        XCTAssertGreaterThan(snapshotsCopied, 0, "no snapshot was sent")
    }
}
