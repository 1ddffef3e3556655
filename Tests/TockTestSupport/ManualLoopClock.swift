import Synchronization
import TockConcurrency

/// A `LoopClock` for one loop that moves only when the test calls `advance(by:)`. `advance` returns once the loop
/// has dealt with the new time and gone back to sleep, so a test steps a loop through its deadlines as fast as the
/// loop runs, and never sleeps itself.
public final class ManualLoopClock: LoopClock {
    private struct State {
        var now: ContinuousClock.Instant
        /// The loop asleep on this clock, and until when.
        var sleeper: (deadline: ContinuousClock.Instant, continuation: CheckedContinuation<Void, Never>)?
        /// Set while the loop is in `wait` (to the deadline it waits for), before it registers as `sleeper`: an
        /// `advance` in between must still see that the deadline passed.
        var sleepingUntil: ContinuousClock.Instant?
        /// How many times the loop has fallen asleep; an `advance` waits for this to grow.
        var sleeps: UInt64 = 0
        var arrivals: [UInt64: CheckedContinuation<Bool, Never>] = [:]
        var nextArrival: UInt64 = 0
    }

    private let state: Mutex<State>

    public init(start: ContinuousClock.Instant = .now) {
        state = Mutex(State(now: start))
    }

    public var now: ContinuousClock.Instant { state.withLock { $0.now } }

    public func wait(until deadline: ContinuousClock.Instant, or wakeup: Wakeup) async {
        let arrivals = state.withLock { state -> [CheckedContinuation<Bool, Never>]? in
            guard deadline > state.now else { return nil }
            state.sleepingUntil = deadline
            state.sleeps += 1
            defer { state.arrivals = [:] }
            return Array(state.arrivals.values)
        }
        guard let arrivals else { return }
        for arrival in arrivals { arrival.resume(returning: true) }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await wakeup.wait(timeout: .seconds(365 * 86_400)) }
            group.addTask { await self.sleep(until: deadline) }
            await group.next()
            group.cancelAll()
        }
        state.withLock { $0.sleepingUntil = nil }
    }

    /// Moves the clock on, wakes the loop if a deadline of its passed, and returns once it sleeps again: true, or
    /// false when it did not within `bound` (it stopped, or it is stuck).
    @discardableResult
    public func advance(by duration: Duration, within bound: Duration = .seconds(60)) async -> Bool {
        let (due, generation) = state.withLock { state -> (CheckedContinuation<Void, Never>??, UInt64) in
            state.now = state.now.advanced(by: duration)
            // Asleep until later: nothing is due.
            if let until = state.sleepingUntil, until > state.now { return (nil, state.sleeps) }
            // Due: wake it if it is registered (if not yet, `sleep(until:)` finds the deadline passed). Busy: it
            // reads the new time on its next round. Either way, wait until it sleeps again.
            guard let sleeper = state.sleeper, sleeper.deadline <= state.now else { return (.some(nil), state.sleeps) }
            state.sleeper = nil
            return (.some(sleeper.continuation), state.sleeps)
        }
        guard let due else { return true }
        due?.resume()
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask { await self.sleptSince(generation) }
            group.addTask {
                try? await Task.sleep(for: bound)
                return false
            }
            let slept = await group.next() ?? false
            group.cancelAll()
            return slept
        }
    }

    private func sleep(until deadline: ContinuousClock.Instant) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    guard deadline > state.now, !Task.isCancelled else { return true }
                    state.sleeper = (deadline, continuation)
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let sleeper = state.withLock { state in
                defer { state.sleeper = nil }
                return state.sleeper
            }
            sleeper?.continuation.resume()
        }
    }

    /// True once the loop has fallen asleep after `generation`; false if cancelled first.
    private func sleptSince(_ generation: UInt64) async -> Bool {
        let id = state.withLock { state in
            defer { state.nextArrival += 1 }
            return state.nextArrival
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let answer = state.withLock { state -> Bool? in
                    if state.sleeps > generation { return true }
                    if Task.isCancelled { return false }
                    state.arrivals[id] = continuation
                    return nil
                }
                if let answer { continuation.resume(returning: answer) }
            }
        } onCancel: {
            let arrival = state.withLock { $0.arrivals.removeValue(forKey: id) }
            arrival?.resume(returning: false)
        }
    }
}
