/// The message an executor publishes for a run of a job whose destination is a NATS subject: through JetStream
/// (waiting for the PubAck, `Nats-Msg-Id: <job>/<run>`) when a stream captures the subject, as a plain publish
/// otherwise.
public struct NATSTarget: Equatable, Sendable {
    public var subject: String
    public var headers: [Header]
    public var body: [UInt8]

    public init(subject: String, headers: [Header], body: [UInt8]) {
        self.subject = subject
        self.headers = headers
        self.body = body
    }
}
