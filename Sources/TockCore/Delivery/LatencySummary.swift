/// Percentiles of a set of latencies (nearest rank: the smallest value at or above that share of the samples),
/// as the benchmarks report them.
public struct LatencySummary: Sendable, Equatable, Codable {
    public var count: Int
    public var p50Ms: Double
    public var p90Ms: Double
    public var p99Ms: Double
    public var maxMs: Double

    enum CodingKeys: String, CodingKey {
        case count
        case p50Ms = "p50_ms"
        case p90Ms = "p90_ms"
        case p99Ms = "p99_ms"
        case maxMs = "max_ms"
    }

    /// `samplesNs` in nanoseconds, in any order; all zero when there are none.
    public init(samplesNs: [Int64]) {
        let sorted = samplesNs.sorted()
        count = sorted.count
        func rank(_ share: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            let index = min(sorted.count - 1, max(0, Int((share * Double(sorted.count)).rounded(.up)) - 1))
            return Double(sorted[index]) / 1e6
        }
        p50Ms = rank(0.50)
        p90Ms = rank(0.90)
        p99Ms = rank(0.99)
        maxMs = rank(1.0)
    }
}
