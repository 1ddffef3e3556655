import Foundation

/// Which webhook targets an executor may call. Global unicast addresses always; anything else (loopback,
/// link-local, private, unique-local, multicast, unspecified, ...) only when an allowed CIDR block contains it, or
/// when the URL names an allowed host. Configured in the queue config's `egress.allow` and `--allow-egress`.
public struct EgressPolicy: Sendable, Equatable {
    public private(set) var networks: [IPNetwork] = []
    /// Lowercased, without a trailing dot.
    public private(set) var hosts: Set<String> = []

    public init() {}

    /// Loopback only: what `tock dev` and tests against a local sink allow.
    public static let loopback: EgressPolicy = {
        var policy = EgressPolicy()
        try! policy.allow("127.0.0.0/8")
        try! policy.allow("::1")
        return policy
    }()

    /// Adds a CIDR block, an address, or a host name. Throws a `FieldError` without a field for anything else.
    public mutating func allow(_ entry: String) throws(FieldError) {
        let text = entry.trimmingCharacters(in: .whitespaces)
        if text.contains("/") || IPAddress(text) != nil {
            let network = try IPNetwork.parse(text)
            if !networks.contains(network) { networks.append(network) }
            return
        }
        hosts.insert(try Self.hostName(text))
    }

    /// Both lists together.
    public func merging(_ other: EgressPolicy) -> EgressPolicy {
        var merged = self
        for network in other.networks where !merged.networks.contains(network) { merged.networks.append(network) }
        merged.hosts.formUnion(other.hosts)
        return merged
    }

    public var isEmpty: Bool { networks.isEmpty && hosts.isEmpty }

    /// The entries as written in a config: blocks first, then host names.
    public var entries: [String] { networks.map(\.description) + hosts.sorted() }

    /// Whether `host` (as written in a URL, brackets removed) is allowed whatever it resolves to.
    public func allowsHost(_ host: String) -> Bool {
        guard !hosts.isEmpty else { return false }
        var name = host.lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        return hosts.contains(name)
    }

    /// Nil when `address` may be connected to; otherwise the class that keeps it out.
    public func refusal(of address: IPAddress) -> AddressClass? {
        let kind = AddressClass(address)
        guard kind != .global else { return nil }
        let candidates = [address] + (address.embeddedIPv4.map { [$0] } ?? [])
        if networks.contains(where: { network in candidates.contains { network.contains($0) } }) { return nil }
        return kind
    }

    /// A DNS name: letters, digits, `-`, `_` and dots, at most 253 bytes, no empty label, no label starting or
    /// ending with `-`.
    private static func hostName(_ text: String) throws(FieldError) -> String {
        var name = text.lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-_.")
        guard !name.isEmpty, name.utf8.count <= 253, name.allSatisfy({ allowed.contains($0) }),
            !name.split(separator: ".", omittingEmptySubsequences: false)
                .contains(where: { $0.isEmpty || $0.hasPrefix("-") || $0.hasSuffix("-") })
        else {
            throw FieldError(field: nil, message: "\"\(text.utf8Prefix(64))\" is neither a CIDR block nor a host name")
        }
        return name
    }
}
