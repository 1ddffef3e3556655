/// Which nodes serve which shard: the static map every node and router routes by (Sources/ARCHITECTURE.md, "Sharding").
/// A shard's id is its position in the list, so the map also fixes the shard count that job keys hash over.
public struct ShardMap: Sendable, Equatable {
    public struct Node: Sendable, Equatable {
        public var name: String
        public var http: HostPort
        /// Absent when the shard's Raft addresses come from `tock shard --peers` instead.
        public var raft: HostPort?

        public init(name: String, http: HostPort, raft: HostPort? = nil) {
            self.name = name
            self.http = http
            self.raft = raft
        }
    }

    /// `shards[k]` are shard k's nodes, sorted by name.
    public private(set) var shards: [[Node]]

    public init(shards: [[Node]]) {
        precondition(!shards.isEmpty && shards.allSatisfy { !$0.isEmpty }, "every shard has a node")
        self.shards = shards.map { $0.sorted { $0.name < $1.name } }
    }

    public var shardCount: Int { shards.count }

    public func nodes(of shard: UInt32) -> [Node] { Int(shard) < shards.count ? shards[Int(shard)] : [] }

    public func contains(shard: UInt32) -> Bool { Int(shard) < shards.count }

    /// The shard a new job belongs to: its idempotency key's, so a repeated key meets the first job; a job without
    /// one goes to a shard picked by a random key, which spreads jobs evenly.
    public func shard(forIdempotencyKey key: String) -> UInt32 {
        ShardHash.shard(forKey: key, shardCount: shardCount)
    }

    /// The shard that owns a flow key: its jobs and its limits, so one leader paces the key for the whole fleet.
    public func shard(forFlowKey key: String) -> UInt32 {
        ShardHash.shard(forKey: key, shardCount: shardCount)
    }

    public func shardForNewJob<R: RandomNumberGenerator>(using random: inout R) -> UInt32 {
        ShardHash.jump(random.next(), buckets: Int32(clamping: shardCount))
    }

    /// The shard that holds the job `id` names, or nil when `id` is not a job id of one of this map's shards.
    public func shard(ofJobID id: String) -> UInt32? {
        guard let shard = JobID.shard(of: id), contains(shard: shard) else { return nil }
        return shard
    }
}

extension ShardMap {
    /// The `shards:` list of a config file:
    ///
    ///     shards:
    ///       - n1: {http: "10.0.0.1:7070", raft: "10.0.0.1:7100"}   # shard 0
    ///         n2: {http: "10.0.0.2:7070", raft: "10.0.0.2:7100"}
    ///       - n1: {http: "10.0.1.1:7070"}                           # shard 1
    static func parse(_ value: JSONValue, path: String) throws(FieldError) -> ShardMap {
        guard case .array(let items) = value, !items.isEmpty else {
            throw FieldError(field: path, message: "must be a non-empty list with one mapping of nodes per shard")
        }
        var shards: [[Node]] = []
        for (index, item) in items.enumerated() {
            let shardPath = "\(path)[\(index)]"
            guard case .object(let nodes) = item, !nodes.isEmpty else {
                throw FieldError(field: shardPath, message: "must map node names to {http: HOST:PORT, raft: HOST:PORT}")
            }
            guard [1, 3, 5].contains(nodes.count) else {
                throw FieldError(field: shardPath, message: "a shard has 1, 3 or 5 nodes, not \(nodes.count)")
            }
            var shard: [Node] = []
            for name in nodes.keys.sorted() {
                let nodePath = "\(shardPath).\(name)"
                guard !name.isEmpty, !name.contains(where: { $0 == "," || $0 == "=" || $0.isWhitespace }) else {
                    throw FieldError(field: nodePath, message: "a node name is a word such as n1")
                }
                guard case .object(let fields) = nodes[name]! else {
                    throw FieldError(field: nodePath, message: "must be a mapping {http: HOST:PORT, raft: HOST:PORT}")
                }
                let reader = KeyReader(fields, path: nodePath)
                try reader.only(["http", "raft"])
                guard let http = try reader.address("http") else {
                    throw FieldError(field: reader.name("http"), code: "missing_field", message: "is required")
                }
                shard.append(Node(name: name, http: http, raft: try reader.address("raft")))
            }
            shards.append(shard)
        }
        return ShardMap(shards: shards)
    }
}

extension KeyReader {
    func address(_ key: String) throws(FieldError) -> HostPort? {
        guard let value = object[key] else { return nil }
        guard case .string(let text) = value, let address = HostPort(parsing: text) else {
            throw FieldError(field: name(key), message: "must be an address such as \"127.0.0.1:7070\"")
        }
        return address
    }
}
