import Foundation

/// Wall-clock time in nanoseconds since the Unix epoch. Injected everywhere a due time is compared,
/// so scheduling logic can be tested with a clock the test moves.
public protocol WallClock: Sendable {
    func nowNs() -> Int64
}

public struct SystemWallClock: WallClock {
    public init() {}
    public func nowNs() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
