import CNats

/// A durable pull consumer with explicit acks that starts at the beginning of its stream.
public struct ConsumerConfig: Sendable, Equatable {
    public var durable: String
    public var filterSubject: String
    /// Replaced by `backoff[0]` when `backoff` is not empty (server behaviour).
    public var ackWait: Duration
    /// -1 = unlimited.
    public var maxDeliver: Int
    /// Redelivery delays after each unacknowledged delivery; the last repeats.
    public var backoff: [Duration]
    /// Always sent: cnats drops -1 silently and the server default (1000) then stalls a
    /// fetch loop at 1000 unacknowledged messages.
    public var maxAckPending: Int
    /// Maximum concurrent pull requests waiting on the server.
    public var maxWaiting: Int

    public init(
        durable: String,
        filterSubject: String,
        ackWait: Duration = .seconds(30),
        maxDeliver: Int = -1,
        backoff: [Duration] = [],
        maxAckPending: Int = 10_000,
        maxWaiting: Int = 512
    ) {
        self.durable = durable
        self.filterSubject = filterSubject
        self.ackWait = ackWait
        self.maxDeliver = maxDeliver
        self.backoff = backoff
        self.maxAckPending = maxAckPending
        self.maxWaiting = maxWaiting
    }

    /// Calls `body` with the C form; its strings and back-off array live only for the call.
    func withCConfig<Result>(_ body: (UnsafeMutablePointer<jsConsumerConfig>) throws -> Result) throws -> Result {
        let arena = CStringArena()
        var backoffNanos = backoff.map(\.cnatsNanoseconds)
        var config = jsConsumerConfig()
        try natsCheck(jsConsumerConfig_Init(&config), "init consumer config")
        config.Durable = arena.string(durable)
        config.FilterSubject = arena.string(filterSubject)
        config.AckPolicy = js_AckExplicit
        config.DeliverPolicy = js_DeliverAll
        config.AckWait = ackWait.cnatsNanoseconds
        config.MaxDeliver = Int64(maxDeliver)
        config.MaxAckPending = Int64(maxAckPending)
        config.MaxWaiting = Int64(maxWaiting)
        return try withExtendedLifetime(arena) {
            try backoffNanos.withUnsafeMutableBufferPointer { buffer in
                if !buffer.isEmpty {
                    config.BackOff = buffer.baseAddress
                    config.BackOffLen = Int32(buffer.count)
                }
                return try body(&config)
            }
        }
    }
}

/// A consumer's progress, from its info.
public struct ConsumerState: Sendable {
    /// Messages in the stream (matching the filter) not yet delivered.
    public let numPending: UInt64
    /// Delivered but neither acked nor terminated.
    public let numAckPending: Int
    public let numRedelivered: Int
    /// Pull requests waiting on the server.
    public let numWaiting: Int
    public let deliveredConsumerSequence: UInt64
    public let ackFloorConsumerSequence: UInt64
    /// The stream sequence up to which every message of this consumer is acknowledged (or terminated).
    public let ackFloorStreamSequence: UInt64

    init(_ info: jsConsumerInfo) {
        numPending = info.NumPending
        numAckPending = Int(info.NumAckPending)
        numRedelivered = Int(info.NumRedelivered)
        numWaiting = Int(info.NumWaiting)
        deliveredConsumerSequence = info.Delivered.Consumer
        ackFloorConsumerSequence = info.AckFloor.Consumer
        ackFloorStreamSequence = info.AckFloor.Stream
    }
}
