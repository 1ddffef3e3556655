/// Where an address leads, as far as the egress guard cares: anything but `.global` is refused unless allowed.
public enum AddressClass: String, Sendable, CaseIterable {
    case global
    case loopback
    /// 169.254/16 (cloud metadata services live at 169.254.169.254) and fe80::/10.
    case linkLocal = "link-local"
    /// 10/8, 172.16/12, 192.168/16, and the deprecated IPv6 site-local fec0::/10.
    case `private`
    /// 100.64/10, the shared address space of carrier-grade NAT: not the public internet either.
    case carrierGradeNAT = "carrier-grade NAT"
    /// fc00::/7.
    case uniqueLocal = "unique-local"
    case multicast
    /// 0.0.0.0 and :: (which many systems connect to the local host), and the rest of 0/8 ("this network").
    case unspecified
    case broadcast
    /// 240/4: reserved, never routed.
    case reserved

    /// The class as a metric label: `link_local`, `carrier_grade_nat`, ...
    public var label: String {
        String(rawValue.map { $0 == "-" || $0 == " " ? "_" : $0 }).lowercased()
    }

    public init(_ address: IPAddress) {
        if let v4 = address.embeddedIPv4 {
            self.init(v4)
            return
        }
        let b = address.bytes
        if address.isIPv4 {
            switch (b[0], b[1]) {
            case (0, _): self = .unspecified
            case (127, _): self = .loopback
            case (10, _), (172, 16...31), (192, 168): self = .private
            case (100, 64...127): self = .carrierGradeNAT
            case (169, 254): self = .linkLocal
            case (224...239, _): self = .multicast
            case (255, 255) where b[2] == 255 && b[3] == 255: self = .broadcast
            case (240...255, _): self = .reserved
            default: self = .global
            }
            return
        }
        if b.allSatisfy({ $0 == 0 }) {
            self = .unspecified
        } else if b[0..<15].allSatisfy({ $0 == 0 }) && b[15] == 1 {
            self = .loopback
        } else if b[0] == 0xff {
            self = .multicast
        } else if b[0] == 0xfe && b[1] & 0xc0 == 0x80 {
            self = .linkLocal
        } else if b[0] == 0xfe && b[1] & 0xc0 == 0xc0 {
            self = .private
        } else if b[0] & 0xfe == 0xfc {
            self = .uniqueLocal
        } else {
            self = .global
        }
    }
}
