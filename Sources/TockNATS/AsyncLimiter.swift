/// A counting semaphore whose `acquire` suspends instead of blocking a thread.
///
/// Gates in-flight JetStream publishes so cnats' own limit (which blocks the publishing thread
/// for up to StallWait) is never reached. Waiters are served first-come, first-served; a released
/// permit is handed straight to the oldest waiter.
final class AsyncLimiter: Sendable {
    private struct State {
        var available: Int
        var waiters: [CheckedContinuation<Void, Never>] = []
        var nextWaiter = 0
    }

    private let state: Locked<State>

    init(permits: Int) {
        precondition(permits > 0, "AsyncLimiter needs at least one permit")
        state = Locked(State(available: permits))
    }

    func acquire() async {
        let acquired = state.withLock { state -> Bool in
            guard state.available > 0 else { return false }
            state.available -= 1
            return true
        }
        if acquired { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state -> Bool in
                // A permit may have been released between the check above and here.
                if state.available > 0 {
                    state.available -= 1
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    func release() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard state.nextWaiter < state.waiters.count else {
                state.available += 1
                return nil
            }
            let waiter = state.waiters[state.nextWaiter]
            state.nextWaiter += 1
            // Compact the queue once the served prefix dominates, keeping release O(1) amortised.
            if state.nextWaiter > 64, state.nextWaiter * 2 > state.waiters.count {
                state.waiters.removeFirst(state.nextWaiter)
                state.nextWaiter = 0
            }
            return waiter
        }
        waiter?.resume()
    }
}
