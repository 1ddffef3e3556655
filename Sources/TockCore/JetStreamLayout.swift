import Foundation
import TockWire

/// The broker side of Tock, as `tock nats apply` reads it from `nats/jetstream.json`: both streams, the
/// executor consumer of each priority and the completion consumer of each shard. Every key is optional;
/// README.md lists them with their defaults.
public struct JetStreamLayout: Sendable, Equatable {
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

    public var shardCount: UInt32 = 1
    /// "file" or "memory".
    public var storage = "file"
    public var replicas = 1
    public var duplicateWindowNs: Int64 = 120_000_000_000
    public var jobs = Stream()
    public var done = Stream()
    public var priorities: [Priority: Consumer] = Dictionary(uniqueKeysWithValues: Priority.allCases.map { ($0, Consumer()) })
    public var completions = Consumer(ackWaitNs: 30_000_000_000)

    public init() {}

    /// Parses the JSON config; an error names the key at fault.
    public static func parse(json: Data) throws(FieldError) -> JetStreamLayout {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: json)
        } catch {
            throw FieldError(field: nil, code: "invalid_json", message: "not valid JSON: \(error)")
        }
        guard case .object(let root) = value else { throw FieldError(field: nil, message: "must be a JSON object") }
        var layout = JetStreamLayout()
        let reader = KeyReader(root, path: "")
        try reader.only(["shard_count", "storage", "replicas", "duplicate_window", "jobs_stream", "done_stream",
                         "priorities", "completions"])
        if let n = try reader.int("shard_count", min: 1, max: 1024) { layout.shardCount = UInt32(n) }
        if let s = try reader.string("storage", oneOf: ["file", "memory"]) { layout.storage = s }
        if let n = try reader.int("replicas", min: 1, max: 5) { layout.replicas = n }
        if let d = try reader.duration("duplicate_window") { layout.duplicateWindowNs = d }
        if let o = try reader.object("jobs_stream") { layout.jobs = try parseStream(o, path: "jobs_stream") }
        if let o = try reader.object("done_stream") { layout.done = try parseStream(o, path: "done_stream") }
        if let o = try reader.object("priorities") {
            let priorities = KeyReader(o, path: "priorities")
            try priorities.only(Set(Priority.allCases.map(\.rawValue)))
            for priority in Priority.allCases {
                if let p = try priorities.object(priority.rawValue) {
                    layout.priorities[priority] = try parseConsumer(p, path: "priorities.\(priority.rawValue)",
                                                                    defaults: Consumer())
                }
            }
        }
        if let o = try reader.object("completions") {
            layout.completions = try parseConsumer(o, path: "completions", defaults: layout.completions)
        }
        return layout
    }

    private static func parseStream(_ object: [String: JSONValue], path: String) throws(FieldError) -> Stream {
        let reader = KeyReader(object, path: path)
        try reader.only(["max_age", "max_messages", "max_bytes"])
        var stream = Stream()
        if let d = try reader.duration("max_age") { stream.maxAgeNs = d == 0 ? nil : d }
        stream.maxMessages = try reader.int("max_messages", min: 1, max: Int.max).map(Int64.init)
        stream.maxBytes = try reader.int("max_bytes", min: 1, max: Int.max).map(Int64.init)
        return stream
    }

    private static func parseConsumer(_ object: [String: JSONValue], path: String, defaults: Consumer)
        throws(FieldError) -> Consumer
    {
        let reader = KeyReader(object, path: path)
        try reader.only(["ack_wait", "max_deliver", "max_ack_pending"])
        var consumer = defaults
        if let d = try reader.duration("ack_wait") {
            guard d >= 1_000_000_000 else { throw FieldError(field: "\(path).ack_wait", message: "must be at least 1s") }
            consumer.ackWaitNs = d
        }
        if let n = try reader.int("max_deliver", min: -1, max: 1_000_000) {
            guard n != 0 else { throw FieldError(field: "\(path).max_deliver", message: "must be -1 or positive") }
            consumer.maxDeliver = n
        }
        if let n = try reader.int("max_ack_pending", min: 1, max: 1_000_000) { consumer.maxAckPending = n }
        return consumer
    }
}

/// Typed access to one JSON object's keys, with errors that name the dotted key path.
private struct KeyReader {
    let object: [String: JSONValue]
    let path: String

    init(_ object: [String: JSONValue], path: String) {
        self.object = object
        self.path = path
    }

    func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func only(_ keys: Set<String>) throws(FieldError) {
        if let unknown = object.keys.sorted().first(where: { !keys.contains($0) }) {
            throw FieldError(field: name(unknown), code: "unknown_field", message: "unknown key")
        }
    }

    func int(_ key: String, min: Int, max: Int) throws(FieldError) -> Int? {
        guard let value = object[key] else { return nil }
        guard case .int(let n) = value, n >= Int64(min), n <= Int64(max) else {
            throw FieldError(field: name(key), message: "must be an integer from \(min) to \(max)")
        }
        return Int(n)
    }

    func string(_ key: String, oneOf allowed: Set<String>) throws(FieldError) -> String? {
        guard let value = object[key] else { return nil }
        guard case .string(let s) = value, allowed.contains(s) else {
            throw FieldError(field: name(key), message: "must be one of \(allowed.sorted().joined(separator: ", "))")
        }
        return s
    }

    func duration(_ key: String) throws(FieldError) -> Int64? {
        guard let value = object[key] else { return nil }
        guard case .string(let s) = value, let ns = DurationText.parseNs(s) else {
            throw FieldError(field: name(key), message: "must be a duration such as \"30s\" or \"7d\"")
        }
        return ns
    }

    func object(_ key: String) throws(FieldError) -> [String: JSONValue]? {
        guard let value = object[key] else { return nil }
        guard case .object(let o) = value else { throw FieldError(field: name(key), message: "must be an object") }
        return o
    }
}
