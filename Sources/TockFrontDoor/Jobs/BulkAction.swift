import TockAuth
import TockCore
import TockModel
import TockShard
import TockWire

/// `POST /v1/jobs:retry` and `POST /v1/jobs:cancel`: an action on every job a filter matches, a bounded batch per
/// call. Each shard acts on at most `limit` matching jobs after the cursor (a retry is one log entry for all of
/// them; cancels are one entry each, committed together) and examines a bounded number of jobs to find them; the
/// answer says how many it retried or cancelled and, while any shard may have more, the cursor to call again with.
public enum BulkAction: String, Sendable {
    case retry, cancel

    /// The default and the largest `limit`: jobs acted on per shard per call.
    static let defaultLimit = 100
    static let maxBodyBytes = 64 * 1024

    /// The states the action takes jobs from, and those it takes when the filter names none: a retry takes dead
    /// letters (`failed`) unless told otherwise, a cancel every job not yet finished.
    var allowedStates: [JobState] {
        switch self {
        case .retry: [.failed, .succeeded, .cancelled]
        case .cancel: [.scheduled, .published]
        }
    }

    var defaultStates: [JobState] {
        switch self {
        case .retry: [.failed]
        case .cancel: [.scheduled, .published]
        }
    }

    func states(_ query: JobListQuery) -> [JobState] { query.state.map { [$0] } ?? defaultStates }

    var path: String { "/v1/jobs:\(rawValue)" }

    /// The JSON body: `state`, `priority`, `host`, `since`, `until`, `tenant` (an admin's), `cursor` and `limit`
    /// (1 to 1000, default 100), all optional; any other field is refused, so a misspelt filter never widens it.
    func parse(_ bytes: [UInt8], nowNs: Int64) throws(FieldError) -> JobListQuery {
        // No body at all is the empty filter.
        var fields: [String: JSONValue] = [:]
        if !bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            fields = try JSONValue.object(parsing: bytes)
        }
        var query = JobListQuery(limit: Self.defaultLimit)
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            if name == "limit" {
                guard case .int(let limit) = value, (1...Int64(ShardNode.maxBulkLimit)).contains(limit) else {
                    throw FieldError(
                        field: "limit",
                        message: "limit must be an integer from 1 to \(ShardNode.maxBulkLimit)")
                }
                query.limit = Int(limit)
                continue
            }
            guard case .string(let text) = value else {
                throw FieldError(field: name, message: "\(name) must be a string, not \(value.kind)")
            }
            switch name {
            case "state":
                guard let state = JobState(rawValue: text), allowedStates.contains(state) else {
                    throw FieldError(
                        field: "state",
                        message: "a \(rawValue) takes jobs that are "
                            + allowedStates.map(\.rawValue).joined(separator: ", "))
                }
                query.state = state
            case "priority":
                guard let priority = Priority(rawValue: text) else {
                    throw FieldError(field: "priority", message: "priority must be one of critical, high, normal, low")
                }
                query.priority = priority
            case "host", "since", "until": try query.set(name, text, nowNs: nowNs)
            case "tenant": query.tenant = text
            case "cursor":
                guard BulkCursor(text) != nil else {
                    throw FieldError(field: "cursor", message: "cursor must be the next_cursor of a previous answer")
                }
                query.cursor = text
            default:
                throw FieldError(
                    field: name,
                    message: "unknown field \(name); a filter takes state, priority, host, "
                        + "since, until, tenant, cursor and limit")
            }
        }
        try query.checkTimeRange()
        return query
    }

    /// The body of a call forwarded to one shard: the filter with absolute times, and that shard's cursor.
    func body(_ query: JobListQuery, cursor: String?) -> [UInt8] {
        var json = JSONText(capacity: 256)
        json.object { json in
            for (name, value) in query.filterParameters {
                json.key(name)
                json.string(value)
            }
            if let cursor {
                json.key("cursor")
                json.string(cursor)
            }
            json.key("limit")
            json.int(Int64(query.limit))
        }
        return json.bytes
    }
}

/// The answer to a bulk action.
public struct BulkAnswer: Codable, Sendable, Equatable {
    /// Jobs retried (or cancelled) by this call.
    public var affected: Int
    /// Whether some shard may have more matching jobs: call again with `next_cursor`.
    public var more: Bool
    public var next_cursor: String?

    public init(affected: Int, next_cursor: String?) {
        self.affected = affected
        more = next_cursor != nil
        self.next_cursor = next_cursor
    }
}

public enum BulkReply: Sendable, Equatable {
    case done(BulkAnswer)
    case failure(JobFailure)
}

extension BulkReply: GatewayReply {
    public var failure: JobFailure? {
        if case .failure(let failure) = self { failure } else { nil }
    }
}

/// A bulk action's position: for each shard that may have more, the id of the last job it examined, joined with
/// commas. Each shard goes on from its own position, so none acts on a job twice or skips one; a shard not named
/// has nothing left.
struct BulkCursor: Sendable, Equatable {
    /// Shard to the id it goes on after.
    var positions: [UInt32: String]

    static let maxShards = 4096

    init(positions: [UInt32: String]) { self.positions = positions }

    init?(_ text: String) {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        guard !parts.isEmpty, parts.count <= Self.maxShards else { return nil }
        var positions: [UInt32: String] = [:]
        for part in parts {
            let id = String(part)
            guard let shard = JobID.shard(of: id), positions.updateValue(id, forKey: shard) == nil else { return nil }
        }
        self.positions = positions
    }

    var text: String? {
        positions.isEmpty ? nil : positions.sorted { $0.key < $1.key }.map(\.value).joined(separator: ",")
    }
}
