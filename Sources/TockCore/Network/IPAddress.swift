import Foundation

/// An IPv4 (4 bytes) or IPv6 (16 bytes) address in network byte order.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    public let bytes: [UInt8]

    public var isIPv4: Bool { bytes.count == 4 }

    /// Exactly 4 or 16 bytes; nil otherwise.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// Strict literal syntax only: dotted-quad IPv4 (`inet_pton`, so no `0x7f.1` or `2130706433`) or IPv6 without
    /// brackets or zone. Anything else is nil: the executor then resolves it as a name and checks what it resolves
    /// to, so lenient spellings of an address cannot slip past as "not an address".
    public init?(_ text: some StringProtocol) {
        let text = String(text)
        guard !text.isEmpty, text.utf8.count <= 45, !text.utf8.contains(0) else { return nil }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            self.bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            self.bytes = withUnsafeBytes(of: &v6) { Array($0) }
            return
        }
        return nil
    }

    /// The IPv4 address an IPv6 address carries in its last 32 bits when it is IPv4-mapped (`::ffff:a.b.c.d`),
    /// IPv4-compatible (`::a.b.c.d`, deprecated) or in the NAT64 well-known prefix (`64:ff9b::a.b.c.d`): each of
    /// those can reach that IPv4 address.
    public var embeddedIPv4: IPAddress? {
        guard bytes.count == 16 else { return nil }
        let head = bytes[0..<12]
        let mapped = head.elementsEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff])
        let compatible =
            head.allSatisfy { $0 == 0 } && bytes[12..<16].contains { $0 != 0 }
            && !(bytes[12...14].allSatisfy { $0 == 0 } && bytes[15] == 1)
        let nat64 = head.elementsEqual([0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0])
        guard mapped || compatible || nat64 else { return nil }
        return IPAddress(bytes: Array(bytes[12..<16]))
    }

    /// The conventional text form (`10.0.0.1`, `fe80::1`, `::ffff:127.0.0.1`).
    public var description: String {
        if isIPv4 { return bytes.map(String.init).joined(separator: ".") }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        var v6 = in6_addr()
        withUnsafeMutableBytes(of: &v6) { $0.copyBytes(from: bytes) }
        guard inet_ntop(AF_INET6, &v6, &buffer, socklen_t(buffer.count)) != nil else { return "?" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
