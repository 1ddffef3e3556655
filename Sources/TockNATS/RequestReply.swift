import CNats
import Foundation

/// A request received by a `NATSService`, copied out of cnats' message (which is destroyed as
/// soon as the delivery callback has copied it).
public struct NATSRequest: Sendable {
    public let subject: String
    public let data: [UInt8]
    /// First value per header name; names are lowercased (NATS header names are case-sensitive on
    /// the wire, HTTP-style lookups are not). Use `header(_:)`.
    public let headers: [String: String]
    /// False when the request's header block could not be parsed; `headers` is then empty.
    public let headersReadable: Bool
    /// Where the reply goes; nil for a plain publish (the handler still runs, its reply is dropped).
    public let replySubject: String?

    public init(
        subject: String, data: [UInt8], headers: [String: String] = [:], headersReadable: Bool = true,
        replySubject: String? = nil
    ) {
        self.subject = subject
        self.data = data
        self.headers = NATSHeaders.lowercased(headers)
        self.headersReadable = headersReadable
        self.replySubject = replySubject
    }

    /// First value of header `name`, case-insensitively.
    public func header(_ name: String) -> String? {
        headers[name.lowercased()]
    }

    init(copying message: OpaquePointer) {
        subject = String(cString: natsMsg_GetSubject(message))
        data = NATSHeaders.payload(of: message)
        let headers = NATSHeaders.read(message, context: "request on \(subject)")
        self.headers = headers ?? [:]
        headersReadable = headers != nil
        let reply = natsMsg_GetReply(message).map { String(cString: $0) }
        replySubject = (reply?.isEmpty ?? true) ? nil : reply
    }
}

/// A service handler's answer: published to the request's reply subject.
public struct NATSReply: Sendable {
    public var data: [UInt8]
    /// Sent in this order; a name may repeat.
    public var headers: [(name: String, value: String)]

    public init(data: [UInt8] = [], headers: [(name: String, value: String)] = []) {
        self.data = data
        self.headers = headers
    }
}

/// The reply to `NATSConnection.request`.
public struct NATSResponse: Sendable {
    /// The subject the reply was published to (this connection's inbox).
    public let subject: String
    public let data: [UInt8]
    /// First value per header name, names lowercased. Use `header(_:)`.
    public let headers: [String: String]

    public init(subject: String, data: [UInt8], headers: [String: String] = [:]) {
        self.subject = subject
        self.data = data
        self.headers = NATSHeaders.lowercased(headers)
    }

    /// First value of header `name`, case-insensitively.
    public func header(_ name: String) -> String? {
        headers[name.lowercased()]
    }

    init(copying message: OpaquePointer) {
        subject = String(cString: natsMsg_GetSubject(message))
        data = NATSHeaders.payload(of: message)
        headers = NATSHeaders.read(message, context: "reply on \(subject)") ?? [:]
    }
}

/// Copying payloads and headers out of a `natsMsg*`, and building messages with headers.
enum NATSHeaders {
    static func lowercased(_ headers: [String: String]) -> [String: String] {
        var result: [String: String] = [:]
        for (name, value) in headers where result[name.lowercased()] == nil {
            result[name.lowercased()] = value
        }
        return result
    }

    static func payload(of message: OpaquePointer) -> [UInt8] {
        let length = Int(natsMsg_GetDataLength(message))
        guard length > 0, let data = natsMsg_GetData(message) else { return [] }
        return [UInt8](UnsafeRawBufferPointer(start: data, count: length))
    }

    /// First value per name, names lowercased (the first of names differing only in case wins);
    /// nil for a malformed header block (logged). Reading headers makes cnats parse and cache them
    /// in the message: call only from the thread that owns the message.
    static func read(_ message: OpaquePointer, context: @autoclosure () -> String) -> [String: String]? {
        var keys: UnsafeMutablePointer<UnsafePointer<CChar>?>?
        var count: Int32 = 0
        let status = natsMsgHeader_Keys(message, &keys, &count)
        guard status == NATS_OK else {
            if status == NATS_NOT_FOUND { return [:] }
            natsLogger.debug(
                "unreadable NATS headers",
                metadata: [
                    "message": "\(context())", "error": "\(NATSError.make(status, operation: "read header keys"))",
                ])
            return nil
        }
        defer { free(keys) }
        var result: [String: String] = [:]
        for index in 0..<Int(count) {
            guard let key = keys?[index] else { continue }
            let name = String(cString: key).lowercased()
            guard result[name] == nil else { continue }
            var value: UnsafePointer<CChar>?
            if natsMsgHeader_Get(message, key, &value) == NATS_OK, let value {
                result[name] = String(cString: value)
            }
        }
        return result
    }

    /// A new message the caller owns (`natsMsg_Destroy`), headers added in order.
    static func makeMessage(
        subject: String,
        reply: String?,
        data: [UInt8],
        headers: [(name: String, value: String)]
    ) throws -> OpaquePointer {
        var message: OpaquePointer?
        let status = data.withUnsafeBytes { bytes in
            natsMsg_Create(
                &message, subject, reply,
                bytes.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(bytes.count))
        }
        try natsCheck(status, "create message for \(subject)")
        do {
            for header in headers {
                try natsCheck(natsMsgHeader_Add(message, header.name, header.value), "add header \(header.name)")
            }
        } catch {
            natsMsg_Destroy(message)
            throw error
        }
        return message!
    }
}

extension NATSConnection {
    /// Publishes a plain (core NATS, not JetStream) message. Fire-and-forget: cnats buffers it and
    /// sends it shortly after; while disconnected it goes to the reconnect buffer.
    public func publish(
        subject: String,
        data: [UInt8],
        headers: [(name: String, value: String)] = [],
        replySubject: String? = nil
    ) throws {
        let message = try NATSHeaders.makeMessage(subject: subject, reply: replySubject, data: data, headers: headers)
        defer { natsMsg_Destroy(message) }
        try withConnection { nc in
            try natsCheck(natsConnection_PublishMsg(nc, message), "publish to \(subject)")
        }
    }
}
