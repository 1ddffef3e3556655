import Foundation
import TockTestSupport

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

    typealias Failure = RawTCPError

    private let connection: RawTCPConnection
    private var buffer: [UInt8] = []

    /// Logs in as `user` when given (nats-server then checks the user's permissions on everything sent).
    init(port: Int, user: String? = nil, password: String? = nil) throws {
        connection = try RawTCPConnection(port: port)
        _ = try line()  // INFO
        var connect: [String: Any] = ["verbose": false, "pedantic": false, "headers": true, "no_responders": true]
        if let user { connect["user"] = user }
        if let password { connect["pass"] = password }
        let json = try JSONSerialization.data(withJSONObject: connect, options: [.sortedKeys])
        try send(Array("CONNECT ".utf8) + Array(json) + crlf)
        try flush()
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
            if reply.hasPrefix("-ERR") { throw Failure(reply) }
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
                return Message(
                    subject: parts[1], headerBlock: String(decoding: all[..<headerLength], as: UTF8.self),
                    payload: Array(all[headerLength...]))
            case let other? where other.hasPrefix("-ERR"): throw Failure(control)
            default: continue
            }
        }
    }

    private let crlf: [UInt8] = [13, 10]

    private func send(_ data: [UInt8]) throws {
        try connection.write(data)
    }

    /// Waits up to 10 s for more bytes.
    private func fill() throws {
        guard let chunk = connection.receive(timeout: .seconds(10)) else { throw Failure("no answer within 10 s") }
        guard !chunk.isEmpty else { throw Failure("connection closed") }
        buffer += chunk
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
