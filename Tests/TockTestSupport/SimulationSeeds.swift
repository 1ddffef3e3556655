import Foundation

/// The seeds a simulation test runs: a fixed set, the same in every run, and a batch of fresh ones drawn at random
/// each run, so every CI build also explores schedules no build tried before. From the environment:
///
/// - `TOCK_SIM_SEED=S`: seed S alone (replaying a failure);
/// - `TOCK_SIM_SEEDS=N`: the fixed seeds 1...N;
/// - `TOCK_SIM_FRESH_SEEDS=N`: N fresh seeds;
/// - `TOCK_SIM_LONG=1`: a long run, `longFresh` fresh seeds and no fixed ones (unless the counts are given).
public struct SimulationSeeds: Sendable {
    public var fixed: [UInt64]
    public var fresh: [UInt64]
    public var all: [UInt64] { fixed + fresh }

    public init(
        fixed: UInt64, fresh: UInt64, longFresh: UInt64,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        if let one = environment["TOCK_SIM_SEED"].flatMap(UInt64.init) {
            self.fixed = [one]
            self.fresh = []
            return
        }
        let long = environment["TOCK_SIM_LONG"] == "1"
        let fixedCount = environment["TOCK_SIM_SEEDS"].flatMap(UInt64.init) ?? (long ? 0 : fixed)
        let freshCount = environment["TOCK_SIM_FRESH_SEEDS"].flatMap(UInt64.init) ?? (long ? longFresh : fresh)
        // Consecutive from a random base past any fixed range, so a fresh seed is never a fixed one and one line
        // names them all.
        let base = UInt64.random(in: 1_000_000...(UInt64(Int64.max) - freshCount))
        self.fixed = fixedCount == 0 ? [] : Array(1...fixedCount)
        self.fresh = freshCount == 0 ? [] : Array(base..<(base + freshCount))
    }

    /// Prints the fresh seeds before they run, so that a crash, which no test can catch, still leaves them in the
    /// log.
    public func announce(_ what: String) {
        guard let first = fresh.first, let last = fresh.last else { return }
        print("\(what): \(fixed.count) fixed seeds, fresh seeds \(first)...\(last)")
    }

    /// The command that runs `test` of `testClass` on `seed` alone.
    public static func replay(seed: UInt64, testClass: String, test: String) -> String {
        "TOCK_SIM_SEED=\(seed) swift test --filter \(testClass)/\(test.replacingOccurrences(of: "()", with: ""))"
    }
}
