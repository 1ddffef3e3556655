import Foundation
import TockConcurrency
import TockCore

/// Resolves host names with `getaddrinfo` (as the HTTP client does), on threads of its own: the call blocks for as
/// long as DNS takes, and must not hold a thread of the cooperative pool.
enum HostResolver {
    struct Failure: Error, CustomStringConvertible {
        let host: String
        let reason: String
        var description: String { "cannot resolve \(host): \(reason)" }
    }

    /// Lookups at once; more wait their turn (a slow resolver slows calls down, it does not grow threads).
    private static let pool = BlockingPool(name: "tock.executor.resolver", threads: 8)

    /// Every address `host` resolves to (IPv4 and IPv6), without duplicates, in `getaddrinfo`'s order.
    static func resolve(_ host: String) async throws -> [IPAddress] {
        try await pool.run { try addresses(of: host) }
    }

    private static func addresses(of host: String) throws -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0 else {
            throw Failure(host: host, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(list) }
        var found: [IPAddress] = []
        var next = list
        while let entry = next?.pointee {
            next = entry.ai_next
            guard let socketAddress = entry.ai_addr else { continue }
            let address: IPAddress?
            switch entry.ai_family {
            case AF_INET:
                address = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { v4 in
                    var raw = v4.pointee.sin_addr
                    return IPAddress(bytes: withUnsafeBytes(of: &raw) { Array($0) })
                }
            case AF_INET6:
                address = socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6 in
                    var raw = v6.pointee.sin6_addr
                    return IPAddress(bytes: withUnsafeBytes(of: &raw) { Array($0) })
                }
            default:
                address = nil
            }
            if let address, !found.contains(address) { found.append(address) }
        }
        guard !found.isEmpty else { throw Failure(host: host, reason: "no IPv4 or IPv6 address") }
        return found
    }
}
