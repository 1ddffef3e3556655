import TockCore
import TockModel
import TockWire

/// Which jobs a listing (`GET /v1/jobs`) or a bulk action (`POST /v1/jobs:retry`, `POST /v1/jobs:cancel`) takes:
/// every condition given must hold. Times are absolute by the time a filter reaches a shard: the node that took
/// the call resolves `since=1h` once, so every shard uses the same window.
public struct JobFilter: Sendable, Equatable {
    /// Any of these states; empty for every state.
    public var states: [JobState]
    public var priority: Priority?
    /// Only this tenant's jobs.
    public var tenant: String?
    /// The URL's host, lowercased, an IPv6 address in brackets (`JobFilter.host(parsing:)`).
    public var host: String?
    /// `updated_at` at or after this: when the job last changed, which for a finished job is when its outcome was
    /// recorded or it was cancelled.
    public var updatedSinceNs: Int64?
    /// `updated_at` before this.
    public var updatedUntilNs: Int64?
    /// Only one-time jobs (what a retry takes).
    public var oneTimeOnly = false

    public init(
        states: [JobState] = [], priority: Priority? = nil, tenant: String? = nil, host: String? = nil,
        updatedSinceNs: Int64? = nil, updatedUntilNs: Int64? = nil, oneTimeOnly: Bool = false
    ) {
        self.states = states
        self.priority = priority
        self.tenant = tenant
        self.host = host
        self.updatedSinceNs = updatedSinceNs
        self.updatedUntilNs = updatedUntilNs
        self.oneTimeOnly = oneTimeOnly
    }

    /// The longest host a filter takes (DNS names are at most 253 bytes).
    public static let maxHostBytes = 255

    /// A `host` filter as the shard compares it: lowercased, an IPv6 address in brackets. Nil for text that cannot
    /// be a URL's host (empty, too long, or holding characters no host has).
    public static func host(parsing text: String) -> String? {
        guard !text.isEmpty, text.utf8.count <= maxHostBytes else { return nil }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789.-_~%:[]")
        var host = text.lowercased()
        guard host.allSatisfy(allowed.contains) else { return nil }
        let bracketed = host.hasPrefix("[") && host.hasSuffix("]")
        if !bracketed {
            guard !host.contains("["), !host.contains("]") else { return nil }
            if host.contains(":") { host = "[\(host)]" }
        }
        return host
    }

    /// `since` and `until`: an RFC 3339 time, or a duration (`1h`, `30m`, `7d`) meaning that long before `nowNs`.
    public static func time(parsing text: String, field: String, nowNs: Int64) throws(FieldError) -> Int64 {
        if let ns = RFC3339.parseNs(text) { return ns }
        if let ago = DurationText.parseNs(text) { return nowNs.saturatingSubtracting(ago) }
        throw FieldError(
            field: field,
            message: "\(field) must be an RFC 3339 time (2026-01-02T15:04:05Z) or a "
                + "duration before now (90s, 30m, 1h, 7d)")
    }

    /// The host of column `url`, lowercased, in SQL: after `://` and any `userinfo@`, up to the port, path, query
    /// or fragment; an IPv6 address keeps its brackets. Evaluated by SQLite on the rows a page examines, so
    /// filtering by host reads no more rows than filtering by anything else, and needs no stored copy.
    static let hostSQL: String = {
        let rest = "substr(url, instr(url, '://') + 3)"
        let ended = "(replace(replace(\(rest), '?', '/'), '#', '/') || '/')"
        let authority = "substr(\(ended), 1, instr(\(ended), '/') - 1)"
        let hostPort = "substr(\(authority), instr(\(authority), '@') + 1)"
        let colonEnded = "(\(hostPort) || ':')"
        return """
            lower(CASE WHEN substr(\(hostPort), 1, 1) = '[' THEN substr(\(hostPort), 1, instr(\(hostPort), ']'))
            ELSE substr(\(colonEnded), 1, instr(\(colonEnded), ':') - 1) END)
            """
    }()
}
