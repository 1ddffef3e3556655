import CNats
import Foundation

/// One dedicated OS thread for blocking cnats calls (natsSubscription_Fetch waits up to its
/// expiry), so they never occupy a thread of Swift's small cooperative pool.
///
/// Jobs run one at a time in submission order. After `shutdown`, jobs already queued still run
/// (so every waiting caller is resumed), new ones are refused, and the thread exits.
///
/// `@unchecked Sendable`: `jobs` and `isShutdown` are only touched with `condition` locked.
final class BlockingWorker: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []
    private var isShutdown = false

    init(name: String) {
        let thread = Thread { [self] in runLoop() }
        thread.name = name
        thread.start()
    }

    /// Runs `body` on the worker thread and suspends (not blocks) the caller until it returns.
    func run<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            let accepted = enqueue { continuation.resume(with: Result { try body() }) }
            if !accepted {
                continuation.resume(throwing: NATSError.local(NATS_INVALID_SUBSCRIPTION, "subscription is closed"))
            }
        }
    }

    func shutdown() {
        condition.lock()
        isShutdown = true
        condition.signal()
        condition.unlock()
    }

    private func enqueue(_ job: @escaping () -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !isShutdown else { return false }
        jobs.append(job)
        condition.signal()
        return true
    }

    private func runLoop() {
        while true {
            condition.lock()
            while jobs.isEmpty && !isShutdown {
                condition.wait()
            }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }
}
