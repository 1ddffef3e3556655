import Synchronization

/// At most `limitPerHost` holders per key (a webhook target's host), waiters served first come, first served.
/// One slow or flooded target then cannot take every connection, and a target sees a bounded number of
/// concurrent calls from one executor however many of its jobs fall due at once.
///
/// Keys cost memory only while held or waited for, so any number of distinct hosts can pass through.
public final class HostConcurrencyLimiter: Sendable {
    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct Host {
        var inUse = 0
        var waiters: [Waiter] = []
    }

    private struct State {
        var hosts: [String: Host] = [:]
        var nextWaiterID: UInt64 = 0
    }

    private let state = Mutex(State())
    public let limitPerHost: Int

    public init(limitPerHost: Int) {
        precondition(limitPerHost > 0)
        self.limitPerHost = limitPerHost
    }

    /// Takes a slot for `host`, waiting while it has `limitPerHost` holders. Throws `CancellationError`, holding
    /// nothing, when the task is cancelled while it waits. Every successful acquire needs one `release`.
    public func acquire(_ host: String) async throws {
        let id = state.withLock { state in
            defer { state.nextWaiterID += 1 }
            return state.nextWaiterID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Decision { case granted, cancelled, queued }
                let decision = state.withLock { state -> Decision in
                    // Checked under the lock: the cancellation handler takes the same lock after the flag is set.
                    if Task.isCancelled { return .cancelled }
                    var entry = state.hosts[host, default: Host()]
                    defer { state.hosts[host] = entry }
                    if entry.inUse < limitPerHost {
                        entry.inUse += 1
                        return .granted
                    }
                    entry.waiters.append(Waiter(id: id, continuation: continuation))
                    return .queued
                }
                switch decision {
                case .granted: continuation.resume()
                case .cancelled: continuation.resume(throwing: CancellationError())
                case .queued: break
                }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                guard var entry = state.hosts[host], let index = entry.waiters.firstIndex(where: { $0.id == id })
                else { return nil }
                let waiter = entry.waiters.remove(at: index)
                state.hosts[host] = entry
                return waiter
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Gives a slot back: straight to the oldest waiter for the host, if any.
    public func release(_ host: String) {
        let next = state.withLock { state -> Waiter? in
            guard var entry = state.hosts[host], entry.inUse > 0 else {
                preconditionFailure("released a slot for \(host) that was not acquired")
            }
            if !entry.waiters.isEmpty {
                let waiter = entry.waiters.removeFirst()
                state.hosts[host] = entry
                return waiter
            }
            entry.inUse -= 1
            state.hosts[host] = entry.inUse == 0 ? nil : entry
            return nil
        }
        next?.continuation.resume()
    }

    /// Slots held for `host` now.
    public func inUse(_ host: String) -> Int {
        state.withLock { $0.hosts[host]?.inUse ?? 0 }
    }

    /// Callers waiting for a slot for `host` now.
    public func waiting(_ host: String) -> Int {
        state.withLock { $0.hosts[host]?.waiters.count ?? 0 }
    }

    /// Hosts with a slot held or awaited; all others cost nothing.
    public var trackedHosts: Int {
        state.withLock { $0.hosts.count }
    }
}
