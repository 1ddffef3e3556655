import TockCore
import TockModel
import TockNATS
import TockWire

/// How one priority's queue stands in JetStream: what `tock status` prints and what the shard leader exports as
/// `tock_stream_*`/`tock_consumer_*` gauges.
public struct QueueDepth: Sendable, Codable, Equatable {
    /// Messages in the stream: waiting, or delivered and not yet acked.
    public var depth: UInt64
    /// Not yet delivered to any executor.
    public var pending: UInt64
    public var ackPending: Int
    public var redelivered: Int
    /// nil when the stream is empty.
    public var oldestAgeSeconds: Double?

    enum CodingKeys: String, CodingKey {
        case depth, pending, redelivered
        case ackPending = "ack_pending"
        case oldestAgeSeconds = "oldest_age_seconds"
    }

    /// Reads the priority's stream and its executors' consumer.
    public static func read(_ priority: Priority, from js: JetStream, nowNs: Int64) async throws -> QueueDepth {
        let (stream, consumer) = try await js.state(
            stream: Subjects.jobsStream(priority: priority),
            consumer: Subjects.executorConsumer(priority: priority))
        return QueueDepth(
            depth: stream.messages, pending: consumer.numPending, ackPending: consumer.numAckPending,
            redelivered: consumer.numRedelivered,
            oldestAgeSeconds: stream.firstTimeNs > 0
                ? Double(max(0, nowNs.saturatingSubtracting(stream.firstTimeNs))) / 1e9 : nil)
    }
}
