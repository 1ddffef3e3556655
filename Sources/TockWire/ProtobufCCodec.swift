import CProtobufC
import TockModel

/// The only place that calls protobuf-c's pack and unpack entry points, so that
/// ownership of C memory is decided once: packing memory belongs to a `CArena`,
/// unpacked memory is always returned with `..._free_unpacked`.
enum ProtobufCCodec {
    /// Builds a C message in an arena, packs it, and frees the arena.
    ///
    /// `size` and `pack` are the generated `..._get_packed_size` and `..._pack`
    /// of the same message type that `build` returns.
    static func encode<M>(
        build: (CArena) -> UnsafeMutablePointer<M>,
        size: (UnsafePointer<M>?) -> Int,
        pack: (UnsafePointer<M>?, UnsafeMutablePointer<UInt8>?) -> Int
    ) -> [UInt8] {
        CArena.scoped { arena in
            let message = UnsafePointer(build(arena))
            let count = size(message)
            guard count > 0 else { return [] }
            return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
                let written = pack(message, buffer.baseAddress)
                // A mismatch would mean a pointer changed between the two calls.
                precondition(written == count, "protobuf-c packed \(written) bytes, predicted \(count)")
                initialized = written
            }
        }
    }

    /// Unpacks `bytes`, lets `read` copy everything it needs into Swift values,
    /// and frees the C message whether or not `read` throws.
    ///
    /// `read` must not keep any pointer into the message.
    static func decode<M, T>(
        _ bytes: [UInt8],
        message name: String,
        unpack: (UnsafeMutablePointer<ProtobufCAllocator>?, Int, UnsafePointer<UInt8>?) -> UnsafeMutablePointer<M>?,
        free freeUnpacked: (UnsafeMutablePointer<M>?, UnsafeMutablePointer<ProtobufCAllocator>?) -> Void,
        read: (UnsafePointer<M>) throws(WireError) -> T
    ) throws(WireError) -> T {
        let unpacked: UnsafeMutablePointer<M>? = bytes.withUnsafeBufferPointer { buffer in
            if let base = buffer.baseAddress {
                return unpack(nil, buffer.count, base)
            }
            // Empty input is a valid (all-default) message; give protobuf-c a real
            // pointer rather than rely on it never touching data when len is 0.
            var empty: UInt8 = 0
            return withUnsafePointer(to: &empty) { unpack(nil, 0, $0) }
        }
        guard let unpacked else { throw .malformed(name) }
        defer { freeUnpacked(unpacked, nil) }
        return try read(UnsafePointer(unpacked))
    }
}
