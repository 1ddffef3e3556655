import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A plain TCP connection to a loopback port, for tests that must send what an HTTP client library will not (a
/// length it never sends, a connection it leaves idle) and see exactly what comes back. Every read waits at most
/// its own timeout.
public final class RawTCPConnection {
    private let fd: Int32

    public init(port: Int) throws {
        #if canImport(Glibc)
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw RawTCPError("socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(fd)
            throw RawTCPError("connect to 127.0.0.1:\(port): errno \(errno)")
        }
    }

    deinit { close(fd) }

    public func write(_ text: String) throws {
        try write(Array(text.utf8))
    }

    public func write(_ bytes: [UInt8]) throws {
        var rest = bytes[...]
        while !rest.isEmpty {
            let sent = rest.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw RawTCPError("send: errno \(errno)") }
            rest = rest.dropFirst(sent)
        }
    }

    public enum Read: Equatable {
        /// Bytes arrived (all that came within the timeout after the first).
        case bytes(String)
        /// The peer closed the connection (or reset it).
        case closed
        /// Nothing came within the timeout; the connection is still open.
        case timedOut
    }

    /// What the peer sends within `timeout`: the first bytes, then whatever follows within 200 ms of them.
    public func read(timeout: Duration) -> Read {
        var received: [UInt8] = []
        var wait = timeout
        while true {
            switch receive(timeout: wait) {
            case .some(let chunk) where !chunk.isEmpty:
                received += chunk
                wait = .milliseconds(200)
            case let end:
                if !received.isEmpty { return .bytes(String(decoding: received, as: UTF8.self)) }
                return end == nil ? .timedOut : .closed
            }
        }
    }

    /// One read: the bytes that arrived, empty when the peer closed the connection, nil when nothing came within
    /// `timeout`.
    public func receive(timeout: Duration) -> [UInt8]? {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let milliseconds = timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000
        guard poll(&poller, 1, Int32(clamping: milliseconds)) > 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        let count = recv(fd, &buffer, buffer.count, 0)
        return count > 0 ? Array(buffer[..<count]) : []
    }
}

public struct RawTCPError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
