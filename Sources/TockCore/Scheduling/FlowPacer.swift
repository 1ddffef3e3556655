import TockModel

/// A flow's rate as a token bucket kept as one number (GCRA, the "virtual scheduling" form of the leaky bucket):
/// the theoretical time of the next release. Runs go one per `rate.periodNs / rate.count`, evenly spaced, with a
/// burst of at most `burst(of:)` when the key has been idle — so any window of one period holds at most
/// `count + burst - 1` releases. Integer nanoseconds, saturating: no input traps.
public struct FlowPacer: Sendable, Equatable {
    /// How much of the rate may go at once after an idle spell: 20 ms worth, and at least one run. A loop that
    /// wakes every millisecond or so still reaches high rates, and a low rate is spread evenly.
    public static let burstSpanNs: Int64 = 20_000_000

    /// When the next run would be released if the bucket had no burst to spend.
    public private(set) var theoreticalNs: Int64

    /// A pacer born now has no burst saved up: a new leader must not add a burst on top of what the previous
    /// one released just before it stopped.
    public init(nowNs: Int64, rate: FlowRate) {
        theoreticalNs = nowNs.saturatingAdding(Self.tolerance(of: rate))
    }

    /// The spacing of releases.
    public static func interval(of rate: FlowRate) -> Int64 { max(1, rate.periodNs / Int64(max(1, rate.count))) }

    public static func burst(of rate: FlowRate) -> Int64 {
        let perSpan = Int64(rate.count).multipliedReportingOverflow(by: burstSpanNs)
        return max(1, perSpan.overflow ? 1 : perSpan.partialValue / max(1, rate.periodNs))
    }

    /// How far ahead of now the theoretical time may run: the burst beyond the first run.
    static func tolerance(of rate: FlowRate) -> Int64 {
        interval(of: rate).saturatingMultiplied(by: burst(of: rate) - 1)
    }

    /// The earliest time a run may go.
    public func nextReleaseNs(rate: FlowRate) -> Int64 {
        theoreticalNs.saturatingSubtracting(Self.tolerance(of: rate))
    }

    /// Takes one release if one is allowed at `nowNs`.
    public mutating func take(nowNs: Int64, rate: FlowRate) -> Bool {
        guard nowNs >= nextReleaseNs(rate: rate) else { return false }
        theoreticalNs = max(theoreticalNs, nowNs).saturatingAdding(Self.interval(of: rate))
        return true
    }

    /// Whether forgetting this pacer and making a new one later would allow nothing this one would not: it has no
    /// release booked in the future.
    public func isIdle(nowNs: Int64) -> Bool { theoreticalNs <= nowNs }
}
