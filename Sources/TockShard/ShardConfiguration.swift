import TockCore

/// How one shard node runs. Defaults follow DESIGN.md.
public struct ShardConfiguration: Sendable {
    public var shard: UInt32 = 0
    /// Holds the node's SQLite file, `shard-<n>.sqlite`.
    public var dataDirectory: String
    public var natsURL = "nats://127.0.0.1:4222"
    public var httpHost = "127.0.0.1"
    public var httpPort = 7070
    public var submitPolicy = SubmitPolicy()
    /// Most runs published per due-timer pass.
    public var publishBatch = 1024

    public init(dataDirectory: String) {
        self.dataDirectory = dataDirectory
    }

    public var databasePath: String { "\(dataDirectory)/shard-\(shard).sqlite" }
}
