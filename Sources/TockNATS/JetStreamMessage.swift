import CNats
import Foundation
import Synchronization

/// Where a delivered message sits in its stream and consumer.
public struct MessageMetadata: Sendable {
    public let streamSequence: UInt64
    public let consumerSequence: UInt64
    /// 1 on first delivery.
    public let numDelivered: UInt64
    /// Messages left for the consumer after this one, as of this delivery.
    public let numPending: UInt64
    /// When the stream stored the message, nanoseconds since the Unix epoch.
    public let timestampNs: Int64
}

/// A message fetched from a pull consumer. Owns its `natsMsg*` until deinit.
///
/// Acknowledge after the side effect is done: `ack` on success, `inProgress` to extend the ack
/// wait during long work, `nak(delay:)` to retry later, `term` to never redeliver (poison).
/// All four are fire-and-forget publishes (no round trip); the first of ack/nak/term wins and
/// later calls are no-ops.
public final class JetStreamMessage: Sendable {
    public let subject: String
    public let payload: [UInt8]
    public let metadata: MessageMetadata
    /// False when the message's header block could not be parsed (anyone can publish one): `header(_:)` then
    /// finds nothing, and the consumer decides what to do with the message. A bad header block never fails the
    /// fetch that brought the message, which would hold back every other message of the batch.
    public let headersReadable: Bool
    private let headers: [String: [String]]
    private let handle: MessageHandle

    /// Copies everything out eagerly: reading cnats headers mutates the message and is not
    /// thread-safe, while this object is shared freely.
    init(handle: MessageHandle) throws {
        let message = handle.pointer
        self.handle = handle
        subject = String(cString: natsMsg_GetSubject(message))
        let length = Int(natsMsg_GetDataLength(message))
        if length > 0, let data = natsMsg_GetData(message) {
            payload = [UInt8](UnsafeRawBufferPointer(start: data, count: length))
        } else {
            payload = []
        }
        let headers = try? Self.readHeaders(message)
        self.headers = headers ?? [:]
        headersReadable = headers != nil

        var meta: UnsafeMutablePointer<jsMsgMetaData>?
        let status = natsMsg_GetMetaData(&meta, message)
        defer { jsMsgMetaData_Destroy(meta) }
        try natsCheck(status, "read metadata of message on \(subject)")
        let m = meta!.pointee
        metadata = MessageMetadata(
            streamSequence: m.Sequence.Stream,
            consumerSequence: m.Sequence.Consumer,
            numDelivered: m.NumDelivered,
            numPending: m.NumPending,
            timestampNs: m.Timestamp)
    }

    /// First value of header `name`: exact (cnats keys are case-sensitive), else case-insensitive.
    public func header(_ name: String) -> String? {
        if let values = headers[name] { return values.first }
        return headers.first { $0.key.caseInsensitiveCompare(name) == .orderedSame }?.value.first
    }

    public func ack() throws {
        try handle.perform("ack") { natsMsg_Ack($0, nil) }
    }

    /// Redeliver, after `delay` if given (else as soon as the server chooses).
    public func nak(delay: Duration? = nil) throws {
        if let delay {
            let milliseconds = delay.cnatsMilliseconds
            try handle.perform("nak") { natsMsg_NakWithDelay($0, milliseconds, nil) }
        } else {
            try handle.perform("nak") { natsMsg_Nak($0, nil) }
        }
    }

    /// Resets the ack wait timer; may be called repeatedly.
    public func inProgress() throws {
        try handle.perform("in-progress") { natsMsg_InProgress($0, nil) }
    }

    public func term() throws {
        try handle.perform("term") { natsMsg_Term($0, nil) }
    }

    private static func readHeaders(_ message: OpaquePointer) throws -> [String: [String]] {
        var keys: UnsafeMutablePointer<UnsafePointer<CChar>?>?
        var count: Int32 = 0
        let status = natsMsgHeader_Keys(message, &keys, &count)
        if status == NATS_NOT_FOUND { return [:] }
        try natsCheck(status, "read header keys")
        defer { free(keys) }

        var result: [String: [String]] = [:]
        for index in 0..<Int(count) {
            guard let key = keys?[index] else { continue }
            var values: UnsafeMutablePointer<UnsafePointer<CChar>?>?
            var valueCount: Int32 = 0
            try natsCheck(natsMsgHeader_Values(message, key, &values, &valueCount), "read header values")
            defer { free(values) }
            result[String(cString: key)] = (0..<Int(valueCount)).compactMap { values?[$0].map { String(cString: $0) } }
        }
        return result
    }
}

/// Owns one fetched `natsMsg*` and keeps its subscription alive (acks dereference it).
///
/// Invariant: the pointer is destroyed only in `deinit`; ack-family calls are serialised by
/// `lock` because cnats updates the message's acked flag without locking.
final class MessageHandle: @unchecked Sendable {
    let pointer: OpaquePointer
    private let subscription: SubscriptionHandle
    private let lock = Mutex(())

    init(_ pointer: OpaquePointer, subscription: SubscriptionHandle) {
        self.pointer = pointer
        self.subscription = subscription
    }

    func perform(_ operation: String, _ call: (OpaquePointer) -> natsStatus) throws {
        try lock.withLock { _ in
            try natsCheck(call(pointer), "\(operation) message")
        }
    }

    deinit {
        natsMsg_Destroy(pointer)
    }
}
