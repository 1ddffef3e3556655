import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A NATS client that writes the protocol by hand, for what a library client refuses to send: a header block that
/// is not `NATS/1.0` headers. Blocking, one connection, only for tests.
final class RawNATSClient {
    struct Message {
        var subject: String
        /// The raw header block, for HMSG; nil for MSG.
        var headerBlock: String?
        var payload: [UInt8]

        /// The value of `name` in the header block, if it reads as `NATS/1.0` headers.
        func header(_ name: String) -> String? {
            headerBlock?.split(separator: "\r\n").dropFirst().lazy.compactMap { line -> String? in
                let parts = line.split(separator: ":", maxSplits: 1)
                guard parts.count == 2, parts[0].lowercased() == name.lowercased() else { return nil }
                return parts[1].trimmingCharacters(in: .whitespaces)
            }.first
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let socket: Int32
    private var buffer: [UInt8] = []

    init(port: Int) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(socket)
            throw Failure(description: "connect: errno \(errno)")
        }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = try line()  // INFO
        try send(Array(#"CONNECT {"verbose":false,"pedantic":false,"headers":true,"no_responders":true}"#.utf8) + crlf)
        try flush()
    }

    deinit {
        close(socket)
    }

    /// HPUB with `headerBlock` as it is (it should end with an empty line, `\r\n\r\n`).
    func publish(_ subject: String, reply: String? = nil, headerBlock: String, payload: [UInt8]) throws {
        let header = Array(headerBlock.utf8)
        let command = "HPUB \(subject) \(reply.map { $0 + " " } ?? "")\(header.count) \(header.count + payload.count)"
        try send(Array(command.utf8) + crlf + header + payload + crlf)
    }

    func subscribe(_ subject: String, id: Int) throws {
        try send(Array("SUB \(subject) \(id)".utf8) + crlf)
    }

    /// Round trip to the server: everything sent before has been processed.
    func flush() throws {
        try send(Array("PING".utf8) + crlf)
        while true {
            let reply = try line()
            if reply == "PONG" { return }
            if reply.hasPrefix("-ERR") { throw Failure(description: reply) }
        }
    }

    /// The next message delivered to a subscription (waits up to 10 s).
    func nextMessage() throws -> Message {
        while true {
            let control = try line()
            let parts = control.split(separator: " ").map(String.init)
            switch parts.first {
            case "PING": try send(Array("PONG".utf8) + crlf)
            case "MSG":
                let payload = try bytes(Int(parts.last ?? "") ?? 0)
                return Message(subject: parts[1], headerBlock: nil, payload: payload)
            case "HMSG":
                let headerLength = Int(parts[parts.count - 2]) ?? 0
                let all = try bytes(Int(parts.last ?? "") ?? 0)
                return Message(subject: parts[1], headerBlock: String(decoding: all[..<headerLength], as: UTF8.self),
                               payload: Array(all[headerLength...]))
            case let other? where other.hasPrefix("-ERR"): throw Failure(description: control)
            default: continue
            }
        }
    }

    private let crlf: [UInt8] = [13, 10]

    private func send(_ data: [UInt8]) throws {
        var sent = 0
        while sent < data.count {
            let n = data[sent...].withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure(description: "send: errno \(errno)") }
            sent += n
        }
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { throw Failure(description: n == 0 ? "connection closed" : "recv: errno \(errno)") }
        buffer += chunk[..<n]
    }

    private func line() throws -> String {
        while true {
            if let end = buffer.indices.dropLast().first(where: { buffer[$0] == 13 && buffer[$0 + 1] == 10 }) {
                let text = String(decoding: buffer[..<end], as: UTF8.self)
                buffer.removeFirst(end + 2)
                return text
            }
            try fill()
        }
    }

    /// `count` bytes and the CRLF after them.
    private func bytes(_ count: Int) throws -> [UInt8] {
        while buffer.count < count + 2 { try fill() }
        let data = Array(buffer[..<count])
        buffer.removeFirst(count + 2)
        return data
    }
}
