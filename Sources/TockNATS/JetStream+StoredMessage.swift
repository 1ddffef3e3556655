import CNats

/// A message as a stream stores it, read by its sequence (not delivered through a consumer).
public struct StoredMessage: Sendable, Equatable {
    public let subject: String
    /// Its `Nats-Msg-Id` header; nil when it was published without one.
    public let messageID: String?
    public let payload: [UInt8]

    public init(subject: String, messageID: String?, payload: [UInt8]) {
        self.subject = subject
        self.messageID = messageID
        self.payload = payload
    }
}

extension JetStream {
    /// The message stored at `sequence` in `stream`, or nil when the stream holds none there (never stored,
    /// acknowledged away, purged, discarded by a limit). A missing stream, a timeout or a lost connection throw:
    /// those say nothing about the message. A blocking request/reply, run off the cooperative pool.
    public func storedMessage(stream: String, sequence: UInt64) async throws -> StoredMessage? {
        try await offPool { try self.storedMessageNow(stream: stream, sequence: sequence) }
    }

    private func storedMessageNow(stream: String, sequence: UInt64) throws -> StoredMessage? {
        var message: OpaquePointer?
        var code = jsErrCode(rawValue: 0)
        let status = js_GetMsg(&message, context.pointer, stream, sequence, nil, &code)
        defer { natsMsg_Destroy(message) }
        do {
            try natsCheck(status, jsCode: code, "get message \(sequence) of stream \(stream)")
        } catch let error as NATSError where error.isNotFound && error.jetStreamCode != 10059 {
            return nil
        }
        guard let message else { return nil }
        let length = Int(natsMsg_GetDataLength(message))
        let payload: [UInt8] =
            if length > 0, let data = natsMsg_GetData(message) {
                [UInt8](UnsafeRawBufferPointer(start: data, count: length))
            } else {
                []
            }
        var value: UnsafePointer<CChar>?
        let messageID =
            natsMsgHeader_Get(message, "Nats-Msg-Id", &value) == NATS_OK ? value.map { String(cString: $0) } : nil
        return StoredMessage(
            subject: String(cString: natsMsg_GetSubject(message)), messageID: messageID,
            payload: payload)
    }
}
