import Synchronization

/// Counts free slots of bounded work (in-flight webhooks). `acquire(upTo:)` takes as many slots as are free,
/// at least one, so a fetch asks for exactly what can run now.
public final class AsyncSemaphore: Sendable {
    private struct State {
        var free: Int
        var waiters: [(wanted: Int, continuation: CheckedContinuation<Int, Never>)] = []
    }

    private let state: Mutex<State>
    public let capacity: Int

    public init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
        self.state = Mutex(State(free: capacity))
    }

    public var available: Int { state.withLock { $0.free } }

    /// Waits for at least one free slot and takes up to `wanted`. Returns how many were taken.
    public func acquire(upTo wanted: Int = 1) async -> Int {
        precondition(wanted > 0)
        return await withCheckedContinuation { continuation in
            let taken = state.withLock { state -> Int? in
                guard state.free > 0, state.waiters.isEmpty else {
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
            precondition(state.free <= capacity, "released more slots than were acquired")
            var ready: [(Int, CheckedContinuation<Int, Never>)] = []
            while state.free > 0, !state.waiters.isEmpty {
                let waiter = state.waiters.removeFirst()
                let n = min(waiter.wanted, state.free)
                state.free -= n
                ready.append((n, waiter.continuation))
            }
            return ready
        }
        for (n, continuation) in ready { continuation.resume(returning: n) }
    }
}
