import TockAuth
import TockCore
import TockModel
import TockShard
import TockWire

extension JobListQuery {
    /// The shard-side filter: `states` as the action allows, the tenant the caller may see (an admin: the one
    /// asked for, or all).
    func filter(states: [JobState], as caller: Caller) -> JobFilter {
        JobFilter(
            states: states, priority: priority, tenant: caller.allows(.admin) ? tenant : caller.tenant,
            host: host, updatedSinceNs: updatedSinceNs, updatedUntilNs: updatedUntilNs)
    }

    /// The filter's parameters, with times absolute (RFC 3339 to the nanosecond), for a call forwarded to a shard.
    var filterParameters: [(name: String, value: String)] {
        var parameters: [(name: String, value: String)] = []
        if let state { parameters.append(("state", state.rawValue)) }
        if let priority { parameters.append(("priority", priority.rawValue)) }
        if let host { parameters.append(("host", host)) }
        if let ns = updatedSinceNs { parameters.append(("since", RFC3339.format(ns: ns, fractionDigits: 9))) }
        if let ns = updatedUntilNs { parameters.append(("until", RFC3339.format(ns: ns, fractionDigits: 9))) }
        if let tenant { parameters.append(("tenant", tenant)) }
        return parameters
    }

    /// Checks a `host`, `since` or `until` value; `nowNs` resolves durations.
    mutating func set(_ name: String, _ text: String, nowNs: Int64) throws(FieldError) {
        switch name {
        case "host":
            guard let host = JobFilter.host(parsing: text) else {
                throw FieldError(
                    field: "host",
                    message: "host must be a URL's host name or IP address, at most "
                        + "\(JobFilter.maxHostBytes) bytes")
            }
            self.host = host
        case "since": updatedSinceNs = try JobFilter.time(parsing: text, field: "since", nowNs: nowNs)
        case "until": updatedUntilNs = try JobFilter.time(parsing: text, field: "until", nowNs: nowNs)
        default: break
        }
    }

    /// `since` after `until` matches nothing, which is never what was meant.
    func checkTimeRange() throws(FieldError) {
        if let since = updatedSinceNs, let until = updatedUntilNs, since >= until {
            throw FieldError(field: "until", message: "until must be later than since")
        }
    }
}
