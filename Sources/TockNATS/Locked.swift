import Foundation

/// A value that is only ever read or written while `lock` is held.
///
/// `@unchecked Sendable` is sound because every access goes through `withLock`; the value may be a
/// non-Sendable C pointer, which is then only used under the lock or handed to cnats calls that
/// are themselves thread-safe.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) {
        self.value = value
    }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
