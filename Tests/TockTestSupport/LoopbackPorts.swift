import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A port free on 127.0.0.1 that no earlier call in this process handed out.
///
/// Tests pick ports before the processes that listen on them start, so the port must stay free meanwhile. A port
/// from the kernel's ephemeral range (what binding port 0 yields) may be taken in that gap as the local end of any
/// outgoing connection — a peer dialling another, a client reaching nats-server — and the late process then fails
/// with "Address already in use". Ports come from below that range instead, and never twice.
public func freeLoopbackPort() -> Int {
    LoopbackPorts.shared.next()
}

final class LoopbackPorts: @unchecked Sendable {
    static let shared = LoopbackPorts()

    /// Guards `handedOut`.
    private let lock = NSLock()
    private var handedOut: Set<Int> = []
    private let range: Range<Int>

    private init() {
        range = Self.portsOutside(ephemeral: Self.ephemeralRange() ?? 32768...60999)
    }

    /// Up to 12,000 ports below the ephemeral range, else above it; all unprivileged ports if it leaves too few.
    static func portsOutside(ephemeral: ClosedRange<Int>) -> Range<Int> {
        let wanted = 2_000
        let (low, high) = (ephemeral.lowerBound, ephemeral.upperBound)
        if low - 1024 >= wanted { return max(1024, low - 12_000)..<low }
        if 65535 - high >= wanted { return (high + 1)..<min(65536, high + 12_001) }
        return 1024..<65536
    }

    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        for _ in 0..<1_000 {
            let port = Int.random(in: range)
            if handedOut.contains(port) || !Self.isFree(port) { continue }
            handedOut.insert(port)
            return port
        }
        preconditionFailure("no free loopback port in \(range) after 1,000 tries")
    }

    private static func isFree(_ port: Int) -> Bool {
        // Without SO_REUSEADDR, so a port that still has connections in TIME_WAIT counts as taken too.
        withLoopbackSocket(port: port) { fd, address in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
        } ?? false
    }

    /// `net.ipv4.ip_local_port_range` (Linux); nil elsewhere.
    private static func ephemeralRange() -> ClosedRange<Int>? {
        guard let text = try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)
        else { return nil }
        let bounds = text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        guard bounds.count == 2, bounds[0] <= bounds[1] else { return nil }
        return bounds[0]...bounds[1]
    }
}

/// Opens a TCP socket and an IPv4 loopback address for `port`, runs `body`, closes the socket.
func withLoopbackSocket<Result>(port: Int, _ body: (Int32, inout sockaddr_in) -> Result) -> Result? {
    #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return body(fd, &address)
}
