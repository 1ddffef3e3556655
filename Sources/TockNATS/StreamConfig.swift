import CNats

/// The subset of a JetStream stream configuration Tock uses.
public struct StreamConfig: Sendable, Equatable {
    public enum Retention: Sendable { case limits, workQueue, interest }
    public enum Storage: Sendable { case file, memory }

    public var name: String
    public var subjects: [String]
    public var retention: Retention
    public var storage: Storage
    public var replicas: Int
    public var maxAge: Duration?
    public var maxMessages: Int64?
    public var maxBytes: Int64?
    /// How long the server remembers `Nats-Msg-Id`s to drop duplicate publishes.
    public var duplicateWindow: Duration

    public init(
        name: String,
        subjects: [String],
        retention: Retention = .limits,
        storage: Storage = .file,
        replicas: Int = 1,
        maxAge: Duration? = nil,
        maxMessages: Int64? = nil,
        maxBytes: Int64? = nil,
        duplicateWindow: Duration = .seconds(120)
    ) {
        self.name = name
        self.subjects = subjects
        self.retention = retention
        self.storage = storage
        self.replicas = replicas
        self.maxAge = maxAge
        self.maxMessages = maxMessages
        self.maxBytes = maxBytes
        self.duplicateWindow = duplicateWindow
    }

    /// Calls `body` with the C form; its strings live only for the duration of the call.
    func withCConfig<Result>(_ body: (UnsafeMutablePointer<jsStreamConfig>) throws -> Result) throws -> Result {
        let arena = CStringArena()
        var config = jsStreamConfig()
        try natsCheck(jsStreamConfig_Init(&config), "init stream config")
        config.Name = arena.string(name)
        config.Subjects = arena.array(subjects)
        config.SubjectsLen = Int32(subjects.count)
        switch retention {
        case .limits: config.Retention = js_LimitsPolicy
        case .workQueue: config.Retention = js_WorkQueuePolicy
        case .interest: config.Retention = js_InterestPolicy
        }
        config.Storage = storage == .file ? js_FileStorage : js_MemoryStorage
        config.Replicas = Int64(replicas)
        if let maxAge { config.MaxAge = maxAge.cnatsNanoseconds }
        if let maxMessages { config.MaxMsgs = maxMessages }
        if let maxBytes { config.MaxBytes = maxBytes }
        config.Duplicates = duplicateWindow.cnatsNanoseconds
        return try withExtendedLifetime(arena) { try body(&config) }
    }
}

/// A stream's size and sequence range, from its info.
public struct StreamState: Sendable {
    public let messages: UInt64
    public let bytes: UInt64
    public let firstSequence: UInt64
    public let lastSequence: UInt64
    public let consumerCount: Int
    /// When the oldest message still in the stream was stored (ns since the epoch); 0 when empty.
    public let firstTimeNs: Int64

    init(_ state: jsStreamState) {
        firstTimeNs = state.Msgs == 0 ? 0 : state.FirstTime
        messages = state.Msgs
        bytes = state.Bytes
        firstSequence = state.FirstSeq
        lastSequence = state.LastSeq
        consumerCount = Int(state.Consumers)
    }
}
