import Synchronization

/// Hands out 0, 1, 2, ... to concurrent workers, so a fixed set of tasks shares one numbered workload.
final class WorkCursor: Sendable {
    private let next = Atomic<Int>(0)

    func take() -> Int { next.wrappingAdd(1, ordering: .relaxed).oldValue }
}
