/// A CIDR block such as `10.1.0.0/16` or `fd00::/8`; a bare address is a block of one.
public struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    public let base: IPAddress
    public let prefixLength: Int

    public init?(base: IPAddress, prefixLength: Int) {
        guard prefixLength >= 0, prefixLength <= base.bytes.count * 8 else { return nil }
        self.base = base
        self.prefixLength = prefixLength
    }

    /// Parses `ADDRESS/PREFIX` or `ADDRESS`. Host bits set below the prefix (`10.1.2.3/16`) are an error, since
    /// they usually mean a typo in the prefix.
    public static func parse(_ text: String) throws(FieldError) -> IPNetwork {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(parts[0]) else {
            throw FieldError(field: nil, message: "\"\(text.utf8Prefix(64))\" is not an IP address or CIDR block")
        }
        let bits = address.bytes.count * 8
        var prefixLength = bits
        if parts.count == 2 {
            let digits = parts[1]
            guard !digits.isEmpty, digits.count <= 3, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                let n = Int(digits), n <= bits
            else {
                throw FieldError(
                    field: nil, message: "\"\(text.utf8Prefix(64))\": the prefix length must be 0 to \(bits)")
            }
            prefixLength = n
        }
        guard let network = IPNetwork(base: address, prefixLength: prefixLength) else {
            throw FieldError(field: nil, message: "\"\(text.utf8Prefix(64))\" is not a CIDR block")
        }
        guard network.masked(address) == address else {
            throw FieldError(field: nil, message: "\"\(text.utf8Prefix(64))\" has bits set past its prefix length")
        }
        return network
    }

    public func contains(_ address: IPAddress) -> Bool {
        address.bytes.count == base.bytes.count && masked(address) == base
    }

    private func masked(_ address: IPAddress) -> IPAddress {
        var bytes = address.bytes
        for index in bytes.indices {
            let kept = min(max(prefixLength - index * 8, 0), 8)
            bytes[index] &= kept == 0 ? 0 : UInt8(truncatingIfNeeded: 0xff << (8 - kept))
        }
        return IPAddress(bytes: bytes)!
    }

    public var description: String { "\(base)/\(prefixLength)" }
}
