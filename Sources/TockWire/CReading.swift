import CProtobufC
import TockModel

/// Copies out of unpacked protobuf-c structs. Every function returns owned Swift
/// values, because the C memory is freed as soon as decoding returns.
enum CReading {
    /// protobuf-c does not check UTF-8 on unpack; a proto3 string that is not
    /// UTF-8 is a malformed message, not something to repair silently.
    static func string(_ pointer: UnsafePointer<CChar>?, field: String) throws(WireError) -> String {
        guard let pointer else { return "" }
        guard let value = String(validatingCString: pointer) else {
            throw .malformed("\(field): invalid UTF-8")
        }
        return value
    }

    static func bytes(_ data: ProtobufCBinaryData) -> [UInt8] {
        guard data.len > 0, let base = data.data else { return [] }
        return Array(UnsafeBufferPointer(start: base, count: data.len))
    }

    /// A singular sub-message that Tock requires.
    static func required<M, T>(
        _ pointer: UnsafeMutablePointer<M>?,
        field: String,
        _ read: (UnsafePointer<M>) throws(WireError) -> T
    ) throws(WireError) -> T {
        guard let pointer else { throw .missingField(field) }
        return try read(UnsafePointer(pointer))
    }

    /// A repeated message field: `n_x` and `x`.
    static func repeated<M, T>(
        _ count: Int,
        _ elements: UnsafeMutablePointer<UnsafeMutablePointer<M>?>?,
        field: String,
        _ read: (UnsafePointer<M>) throws(WireError) -> T
    ) throws(WireError) -> [T] {
        guard count > 0 else { return [] }
        guard let elements else { throw .malformed(field) }
        var result: [T] = []
        result.reserveCapacity(count)
        for index in 0..<count {
            guard let element = elements[index] else { throw .malformed(field) }
            result.append(try read(UnsafePointer(element)))
        }
        return result
    }
}
