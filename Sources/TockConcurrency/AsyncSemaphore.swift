import Synchronization

/// The one async semaphore: counts free slots of bounded work (webhooks in flight, JetStream publishes awaiting
/// their PubAck). `acquire(upTo:)` takes as many slots as are free, at least one, so a fetch asks for exactly
/// what can run now. Waiters are served first come, first served; a suspended waiter holds no thread.
public final class AsyncSemaphore: Sendable {
    private struct State {
        var capacity: Int
        /// Negative after a shrink, until enough slots in use are released.
        var free: Int
        var waiters: [(wanted: Int, continuation: CheckedContinuation<Int, Never>)] = []
        /// Waiters before this index were served; the prefix is dropped in bulk, keeping each wake O(1).
        var nextWaiter = 0
        var hasWaiters: Bool { nextWaiter < waiters.count }
    }

    private let state: Mutex<State>

    public init(capacity: Int) {
        precondition(capacity > 0)
        self.state = Mutex(State(capacity: capacity, free: capacity))
    }

    public var capacity: Int { state.withLock { $0.capacity } }

    public var available: Int { state.withLock { max(0, $0.free) } }

    /// Waits for at least one free slot and takes up to `wanted`. Returns how many were taken.
    public func acquire(upTo wanted: Int = 1) async -> Int {
        precondition(wanted > 0)
        return await withCheckedContinuation { continuation in
            let taken = state.withLock { state -> Int? in
                guard state.free > 0, !state.hasWaiters else {
                    state.waiters.append((wanted, continuation))
                    return nil
                }
                let n = min(wanted, state.free)
                state.free -= n
                return n
            }
            if let taken { continuation.resume(returning: taken) }
        }
    }

    public func release(_ count: Int = 1) {
        guard count > 0 else { return }
        let ready = state.withLock { state -> [(Int, CheckedContinuation<Int, Never>)] in
            state.free += count
            precondition(state.free <= state.capacity, "released more slots than were acquired")
            return Self.wake(&state)
        }
        for (n, continuation) in ready { continuation.resume(returning: n) }
    }

    /// Changes the number of slots. Growing frees slots at once; shrinking takes effect as slots in use are
    /// released (nothing running is interrupted).
    public func resize(to capacity: Int) {
        precondition(capacity > 0)
        let ready = state.withLock { state -> [(Int, CheckedContinuation<Int, Never>)] in
            state.free += capacity - state.capacity
            state.capacity = capacity
            return Self.wake(&state)
        }
        for (n, continuation) in ready { continuation.resume(returning: n) }
    }

    /// Hands free slots to waiters, first come first served; the caller resumes them outside the lock.
    private static func wake(_ state: inout State) -> [(Int, CheckedContinuation<Int, Never>)] {
        var ready: [(Int, CheckedContinuation<Int, Never>)] = []
        while state.free > 0, state.hasWaiters {
            let waiter = state.waiters[state.nextWaiter]
            state.nextWaiter += 1
            let n = min(waiter.wanted, state.free)
            state.free -= n
            ready.append((n, waiter.continuation))
        }
        if state.nextWaiter > 64, state.nextWaiter * 2 > state.waiters.count {
            state.waiters.removeFirst(state.nextWaiter)
            state.nextWaiter = 0
        }
        return ready
    }
}
