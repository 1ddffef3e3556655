import CProtobufC
import TockModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Owns every C allocation made while building one protobuf-c message tree for
/// packing.
///
/// protobuf-c structs hold raw `char*`, sub-message and array pointers that must
/// stay valid until `..._pack` returns, while Swift would free a temporary
/// `withCString` buffer as soon as its closure ends. So everything is copied into
/// `malloc`ed memory registered here, and `scoped` frees all of it exactly once
/// after the body (which includes the pack call) returns. Pointers handed out
/// must not escape the `scoped` body.
///
/// Not Sendable on purpose: one arena belongs to one encode call on one thread.
final class CArena {
    private var allocations: [UnsafeMutableRawPointer] = []

    private init() {}

    static func scoped<R>(_ body: (CArena) throws -> R) rethrows -> R {
        let arena = CArena()
        defer { arena.freeAll() }
        return try body(arena)
    }

    /// A NUL-terminated copy. protobuf-c measures strings with `strlen`, so a
    /// Swift string containing U+0000 is cut at its first NUL.
    func string(_ value: String) -> UnsafeMutablePointer<CChar> {
        let copy = value.withCString { strdup($0) }
        guard let copy else { fatalError("TockWire: out of memory copying a string") }
        allocations.append(copy)
        return copy
    }

    func bytes(_ value: [UInt8]) -> ProtobufCBinaryData {
        value.withUnsafeBufferPointer { source in
            // An empty array may have no storage at all (nil base address).
            guard let base = source.baseAddress, source.count > 0 else {
                return ProtobufCBinaryData(len: 0, data: nil)
            }
            let copy = allocate(byteCount: source.count).bindMemory(to: UInt8.self, capacity: source.count)
            copy.initialize(from: base, count: source.count)
            return ProtobufCBinaryData(len: source.count, data: copy)
        }
    }

    /// A zeroed C struct, handed to `initialize` (the generated `..._init`, then
    /// field assignments) before it is returned.
    func message<M>(_ type: M.Type, _ initialize: (UnsafeMutablePointer<M>) -> Void) -> UnsafeMutablePointer<M> {
        let raw = allocate(byteCount: MemoryLayout<M>.stride)
        let message = raw.bindMemory(to: M.self, capacity: 1)
        initialize(message)
        return message
    }

    /// The `M **` array of a repeated message field; nil for no elements, which
    /// is what protobuf-c expects alongside `n_... = 0`.
    func pointerArray<M>(_ elements: [UnsafeMutablePointer<M>]) -> UnsafeMutablePointer<UnsafeMutablePointer<M>?>? {
        guard !elements.isEmpty else { return nil }
        let stride = MemoryLayout<UnsafeMutablePointer<M>?>.stride
        let array = allocate(byteCount: stride * elements.count)
            .bindMemory(to: UnsafeMutablePointer<M>?.self, capacity: elements.count)
        for (index, element) in elements.enumerated() {
            (array + index).initialize(to: element)
        }
        return array
    }

    private func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        // calloc: a struct that protobuf-c reads before every field is set
        // must not contain garbage pointers.
        guard let raw = calloc(1, max(byteCount, 1)) else {
            fatalError("TockWire: out of memory allocating \(byteCount) bytes")
        }
        allocations.append(raw)
        return raw
    }

    private func freeAll() {
        for allocation in allocations {
            free(allocation)
        }
        allocations.removeAll()
    }
}
