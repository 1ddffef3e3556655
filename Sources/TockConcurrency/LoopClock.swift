/// The monotonic time a loop reads and sleeps on. Production uses `SystemLoopClock`; a test moves a manual clock
/// itself, so the loop's deadlines (ticks, request time-outs, retries) pass without anyone sleeping.
public protocol LoopClock: Sendable {
    var now: ContinuousClock.Instant { get }
    /// Returns once `deadline` is reached on this clock, `wakeup` is signalled (consuming the signal) or the task
    /// is cancelled, whichever comes first.
    func wait(until deadline: ContinuousClock.Instant, or wakeup: Wakeup) async
}

public struct SystemLoopClock: LoopClock {
    public init() {}

    public var now: ContinuousClock.Instant { .now }

    public func wait(until deadline: ContinuousClock.Instant, or wakeup: Wakeup) async {
        await wakeup.wait(timeout: deadline - .now)
    }
}
