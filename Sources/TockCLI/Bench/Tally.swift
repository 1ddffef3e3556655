import Synchronization

/// Successes and failures counted by concurrent workers.
final class Tally: Sendable {
    private let succeeded = Atomic<Int>(0)
    private let failed = Atomic<Int>(0)

    func add(ok: Int, errors: Int) {
        succeeded.add(ok, ordering: .relaxed)
        failed.add(errors, ordering: .relaxed)
    }

    var ok: Int { succeeded.load(ordering: .relaxed) }
    var errors: Int { failed.load(ordering: .relaxed) }
}
