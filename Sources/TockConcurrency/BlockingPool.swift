import Foundation

/// The one way Tock runs blocking calls (SQLite's fsync, cnats' fetch and connect, getaddrinfo): on threads of
/// its own, never on Swift's small cooperative pool, and never more threads than it was given, unlike
/// `DispatchQueue.global()`, which adds a thread for every blocked one.
///
/// Jobs run in submission order on `threads` threads; a pool of one is a serial lane (one SQLite connection,
/// one pull subscription). After `shutdown`, jobs already queued still run (so every waiting caller is resumed),
/// new ones are refused, and the threads exit.
///
/// `@unchecked Sendable`: `jobs` and `isShutdown` are only touched with `condition` locked.
public final class BlockingPool: @unchecked Sendable {
    /// Refused after `shutdown`.
    public struct ShutDown: Error, CustomStringConvertible {
        public let pool: String
        public var description: String { "\(pool) is shut down" }
    }

    private let name: String
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []
    private var nextJob = 0
    private var isShutdown = false

    public init(name: String, threads: Int = 1) {
        precondition(threads > 0)
        self.name = name
        for index in 0..<threads {
            let thread = Thread { [self] in runLoop() }
            thread.name = threads == 1 ? name : "\(name)-\(index)"
            thread.start()
        }
    }

    /// Runs `body` on a thread of the pool and suspends (not blocks) the caller until it returns.
    public func run<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            let accepted = enqueue { continuation.resume(with: Result { try body() }) }
            if !accepted { continuation.resume(throwing: ShutDown(pool: name)) }
        }
    }

    /// Runs `body` on a thread of the pool and blocks the caller until it returns: for start-up, before any
    /// concurrent use.
    public func runAndWait<Value>(_ body: @escaping () throws -> Value) throws -> Value {
        let done = NSCondition()
        nonisolated(unsafe) var result: Result<Value, any Error>?
        let accepted = enqueue {
            let outcome = Result { try body() }
            done.lock()
            result = outcome
            done.signal()
            done.unlock()
        }
        guard accepted else { throw ShutDown(pool: name) }
        done.lock()
        while result == nil { done.wait() }
        done.unlock()
        return try result!.get()
    }

    public func shutdown() {
        condition.lock()
        isShutdown = true
        condition.broadcast()
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
            while nextJob == jobs.count && !isShutdown {
                condition.wait()
            }
            if nextJob == jobs.count {
                condition.unlock()
                return
            }
            let job = jobs[nextJob]
            jobs[nextJob] = {}  // what the job captured is released when it is done, not at the next compaction
            nextJob += 1
            // Compact once the run prefix dominates, keeping each dequeue O(1) amortised.
            if nextJob > 64, nextJob * 2 > jobs.count {
                jobs.removeFirst(nextJob)
                nextJob = 0
            }
            condition.unlock()
            job()
        }
    }
}
