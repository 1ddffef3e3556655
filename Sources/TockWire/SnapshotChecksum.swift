import TockModel

/// FNV-1a, 64 bits, over a snapshot's data as it streams: both ends compute it piece by piece, so damage or a
/// piece lost in between is caught without holding the data.
public struct SnapshotChecksum: Sendable, Equatable {
    public private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325
    public private(set) var size: UInt64 = 0

    public init() {}

    public mutating func add(_ bytes: [UInt8]) {
        var hash = value
        bytes.withUnsafeBufferPointer { buffer in
            for byte in buffer { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        }
        value = hash
        size += UInt64(bytes.count)
    }
}
