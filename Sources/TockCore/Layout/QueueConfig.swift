import Foundation
import TockModel
import Yams

/// Tock's queues in one file (`nats/tock.yaml`): the broker side, which `tock nats apply` creates — a jobs stream
/// and an executor consumer per priority, the completions stream and a consumer per shard, the outcome events
/// stream and the executors' callback consumer — and the executor side,
/// which `tock executor --config` reads at start and again on SIGHUP: concurrency, fetch size, how priorities
/// share the slots, and each priority's back-off. Every key is optional; nats/README.md lists them with their defaults.
public struct QueueConfig: Sendable, Equatable {
    public struct Stream: Sendable, Equatable {
        public var maxAgeNs: Int64? = 7 * 86_400_000_000_000
        public var maxMessages: Int64?
        public var maxBytes: Int64?

        public init(maxAgeNs: Int64? = 7 * 86_400_000_000_000, maxMessages: Int64? = nil, maxBytes: Int64? = nil) {
            self.maxAgeNs = maxAgeNs
            self.maxMessages = maxMessages
            self.maxBytes = maxBytes
        }
    }

    public struct Consumer: Sendable, Equatable {
        public var ackWaitNs: Int64 = 60_000_000_000
        /// -1: unlimited; the executor gives up by the job's own max_attempts.
        public var maxDeliver = -1
        public var maxAckPending = 10_000

        public init(ackWaitNs: Int64 = 60_000_000_000, maxDeliver: Int = -1, maxAckPending: Int = 10_000) {
            self.ackWaitNs = ackWaitNs
            self.maxDeliver = maxDeliver
            self.maxAckPending = maxAckPending
        }
    }

    /// One priority: its stream's limits, its executor consumer, its share of executor slots and its back-off.
    public struct PriorityQueue: Sendable, Equatable {
        public var stream = Stream()
        public var consumer = Consumer()
        /// Share of the executor's slots under saturation, relative to the other priorities' (weighted scheduling).
        public var weight: Int
        /// Delay before redelivery after failed attempt 1, 2, …; the last one repeats.
        public var backoffNs: [Int64] = [1, 2, 4, 8, 16, 32, 60].map { $0 * 1_000_000_000 }

        public init(weight: Int) {
            self.weight = weight
        }

        /// The delay after failed attempt number `attempt` (1-based).
        public func backoff(afterAttempt attempt: UInt64) -> Duration {
            let index = Int(Swift.min(Swift.max(attempt, 1), UInt64(backoffNs.count))) - 1
            return .nanoseconds(backoffNs[index])
        }
    }

    public struct Executor: Sendable, Equatable {
        public var concurrency = 64
        public var fetchBatch = 32
        public var scheduling: PriorityPicker.Mode = .weighted
        /// Webhooks in flight at once to one target `host:port`.
        public var perHostConcurrency = 16
        /// Consecutive failures against a host that open its circuit breaker, and for how long.
        public var breakerFailures = 5
        public var breakerCoolDownNs: Int64 = 30_000_000_000

        public init() {}
    }

    public var shardCount: UInt32 = 1
    /// The nodes of each shard, for routing jobs to their shard's leader; nil for a single shard whose nodes are
    /// given by flags. When present it fixes `shardCount`.
    public var shardMap: ShardMap?
    /// "file" or "memory".
    public var storage = "file"
    public var replicas = 1
    public var duplicateWindowNs: Int64 = 120_000_000_000
    public var done = Stream()
    /// TOCK_EVENTS, the outcome events (`events_stream`): kept by limits, not consumed away.
    public var events = Stream()
    public var completions = Consumer(ackWaitNs: 30_000_000_000)
    public var executor = Executor()
    public var priorities: [Priority: PriorityQueue] = QueueConfig.defaultPriorities
    /// Webhook targets the executors may call besides global addresses (`egress.allow`).
    public var egress = EgressPolicy()

    public static let defaultPriorities: [Priority: PriorityQueue] = [
        .critical: PriorityQueue(weight: 8), .high: PriorityQueue(weight: 4), .normal: PriorityQueue(weight: 2),
        .low: PriorityQueue(weight: 1),
    ]

    public init() {}

    public subscript(priority: Priority) -> PriorityQueue { priorities[priority] ?? PriorityQueue(weight: 1) }

    public var weights: [Priority: Int] { priorities.mapValues(\.weight) }

    /// Parses a file's text: YAML (JSON is YAML too). An error names the key at fault.
    public static func parse(yaml text: String) throws(FieldError) -> QueueConfig {
        let value: JSONValue
        do {
            value = try JSONValue(yaml: try Yams.load(yaml: text) ?? [String: Any]())
        } catch let error as FieldError {
            throw error
        } catch {
            throw FieldError(field: nil, code: "invalid_yaml", message: "not valid YAML: \(error)")
        }
        guard case .object(let root) = value else { throw FieldError(field: nil, message: "must be a mapping of keys") }
        return try parse(root)
    }

    private static func parse(_ root: [String: JSONValue]) throws(FieldError) -> QueueConfig {
        var config = QueueConfig()
        let reader = KeyReader(root, path: "")
        try reader.only([
            "shard_count", "storage", "replicas", "duplicate_window", "done_stream", "completions",
            "executor", "priorities", "shards", "egress", "events_stream",
        ])
        if let n = try reader.int("shard_count", min: 1, max: 1024) { config.shardCount = UInt32(n) }
        if let shards = root["shards"] {
            let map = try ShardMap.parse(shards, path: "shards")
            if root["shard_count"] != nil, config.shardCount != UInt32(map.shardCount) {
                throw FieldError(
                    field: "shard_count",
                    message: "is \(config.shardCount) but shards lists \(map.shardCount); give one of them")
            }
            config.shardMap = map
            config.shardCount = UInt32(map.shardCount)
        }
        if let s = try reader.string("storage", oneOf: ["file", "memory"]) { config.storage = s }
        if let n = try reader.int("replicas", min: 1, max: 5) { config.replicas = n }
        if let d = try reader.duration("duplicate_window") { config.duplicateWindowNs = d }
        if let o = try reader.object("done_stream") {
            let stream = KeyReader(o, path: "done_stream")
            try stream.only(["max_age", "max_messages", "max_bytes"])
            config.done = try parseStream(stream, defaults: config.done)
        }
        if let o = try reader.object("events_stream") {
            let stream = KeyReader(o, path: "events_stream")
            try stream.only(["max_age", "max_messages", "max_bytes"])
            config.events = try parseStream(stream, defaults: config.events)
        }
        if let o = try reader.object("completions") {
            let consumer = KeyReader(o, path: "completions")
            try consumer.only(["ack_wait", "max_deliver", "max_ack_pending"])
            config.completions = try parseConsumer(consumer, defaults: config.completions)
        }
        if let o = try reader.object("executor") {
            let executor = KeyReader(o, path: "executor")
            try executor.only([
                "concurrency", "fetch_batch", "scheduling", "per_host_concurrency", "breaker_failures",
                "breaker_cooldown",
            ])
            if let n = try executor.int("per_host_concurrency", min: 1, max: 100_000) {
                config.executor.perHostConcurrency = n
            }
            if let n = try executor.int("breaker_failures", min: 1, max: 1000) { config.executor.breakerFailures = n }
            if let d = try executor.duration("breaker_cooldown") {
                guard d > 0 else { throw FieldError(field: "executor.breaker_cooldown", message: "must be positive") }
                config.executor.breakerCoolDownNs = d
            }
            if let n = try executor.int("concurrency", min: 1, max: 100_000) { config.executor.concurrency = n }
            if let n = try executor.int("fetch_batch", min: 1, max: 10_000) { config.executor.fetchBatch = n }
            if let s = try executor.string("scheduling", oneOf: ["weighted", "strict"]) {
                config.executor.scheduling = PriorityPicker.Mode(rawValue: s)!
            }
        }
        if let o = try reader.object("egress") { config.egress = try parseEgress(KeyReader(o, path: "egress")) }
        if let o = try reader.object("priorities") {
            let priorities = KeyReader(o, path: "priorities")
            try priorities.only(Set(Priority.allCases.map(\.rawValue)))
            for priority in Priority.allCases {
                guard let p = try priorities.object(priority.rawValue) else { continue }
                let keys = KeyReader(p, path: "priorities.\(priority.rawValue)")
                try keys.only([
                    "weight", "ack_wait", "max_deliver", "max_ack_pending", "max_age", "max_messages",
                    "max_bytes", "backoff",
                ])
                var queue = config[priority]
                if let n = try keys.int("weight", min: 1, max: 1000) { queue.weight = n }
                queue.consumer = try parseConsumer(keys, defaults: queue.consumer)
                queue.stream = try parseStream(keys, defaults: queue.stream)
                if let steps = try keys.durations("backoff") { queue.backoffNs = steps }
                config.priorities[priority] = queue
            }
        }
        return config
    }

    /// `allow`: a list of CIDR blocks, addresses and host names.
    private static func parseEgress(_ reader: KeyReader) throws(FieldError) -> EgressPolicy {
        try reader.only(["allow"])
        var policy = EgressPolicy()
        guard let value = reader.object["allow"] else { return policy }
        guard case .array(let items) = value, items.count <= 10_000 else {
            throw FieldError(
                field: reader.name("allow"),
                message: "must be a list of CIDR blocks or host names, such as [10.1.0.0/16, hooks.example]")
        }
        for (offset, item) in items.enumerated() {
            let field = "\(reader.name("allow"))[\(offset)]"
            guard case .string(let entry) = item else { throw FieldError(field: field, message: "must be a string") }
            do {
                try policy.allow(entry)
            } catch {
                throw FieldError(field: field, message: error.message)
            }
        }
        return policy
    }

    private static func parseStream(_ reader: KeyReader, defaults: Stream) throws(FieldError) -> Stream {
        var stream = defaults
        if let d = try reader.duration("max_age") { stream.maxAgeNs = d == 0 ? nil : d }
        if let n = try reader.int("max_messages", min: 1, max: Int.max) { stream.maxMessages = Int64(n) }
        if let n = try reader.int("max_bytes", min: 1, max: Int.max) { stream.maxBytes = Int64(n) }
        return stream
    }

    private static func parseConsumer(_ reader: KeyReader, defaults: Consumer) throws(FieldError) -> Consumer {
        var consumer = defaults
        if let d = try reader.duration("ack_wait") {
            guard d >= 1_000_000_000 else {
                throw FieldError(field: reader.name("ack_wait"), message: "must be at least 1s")
            }
            consumer.ackWaitNs = d
        }
        if let n = try reader.int("max_deliver", min: -1, max: 1_000_000) {
            guard n != 0 else { throw FieldError(field: reader.name("max_deliver"), message: "must be -1 or positive") }
            consumer.maxDeliver = n
        }
        if let n = try reader.int("max_ack_pending", min: 1, max: 1_000_000) { consumer.maxAckPending = n }
        return consumer
    }
}

extension JSONValue {
    /// The tree Yams loads (dictionaries, arrays, strings, numbers, booleans, null).
    public init(yaml value: Any) throws(FieldError) {
        switch value {
        case is NSNull: self = .null
        case let b as Bool: self = .bool(b)
        case let i as Int: self = .int(Int64(i))
        case let d as Double: self = .double(d)
        case let s as String: self = .string(s)
        case let a as [Any]:
            var items: [JSONValue] = []
            for item in a { items.append(try JSONValue(yaml: item)) }
            self = .array(items)
        case let o as [String: Any]:
            var object: [String: JSONValue] = [:]
            for (key, item) in o { object[key] = try JSONValue(yaml: item) }
            self = .object(object)
        case let o as [AnyHashable: Any]:
            var object: [String: JSONValue] = [:]
            for (key, item) in o { object["\(key)"] = try JSONValue(yaml: item) }
            self = .object(object)
        default:
            throw FieldError(field: nil, code: "invalid_yaml", message: "unsupported YAML value \(value)")
        }
    }
}
