import ArgumentParser
import Foundation
import TockCore

/// The job filter of `tock list`, and of `tock retry` and `tock cancel` without an id: the query of `GET /v1/jobs`
/// and the body of `POST /v1/jobs:retry` or `:cancel`. The shard checks every value and names a bad one.
struct JobFilterOptions: ParsableArguments {
    @Option(help: "Only jobs in this state.") var state: String?
    @Option(help: "Only jobs of this priority: critical, high, normal or low.") var priority: String?
    @Option(help: "Only jobs whose URL has this host (case-insensitive).") var host: String?
    @Option(help: "Only jobs updated (finished, cancelled) since: RFC 3339, or a duration before now such as 1h.")
    var since: String?
    @Option(help: "Only jobs updated before: RFC 3339, or a duration before now.") var until: String?
    @Option(help: "Only this tenant's jobs (an admin key's choice; others see their own tenant's).")
    var tenant: String?

    var isEmpty: Bool { [state, priority, host, since, until, tenant].allSatisfy { $0 == nil } }

    /// The filter's fields by API name, `since` and `until` resolved once to times so that every page or batch of
    /// one command takes the same window.
    func resolved() -> [(name: String, value: String)] {
        let given = [
            ("state", state), ("priority", priority), ("host", host), ("since", since.map(Self.absolute)),
            ("until", until.map(Self.absolute)), ("tenant", tenant),
        ]
        return given.compactMap { name, value in value.map { (name, $0) } }
    }

    /// A duration becomes the time it names now; an RFC 3339 time, or anything else for the shard to refuse, stays.
    static func absolute(_ text: String) -> String {
        guard RFC3339.parseNs(text) == nil, let ago = DurationText.parseNs(text) else { return text }
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000_000)
        return RFC3339.format(ns: now.saturatingSubtracting(ago), fractionDigits: 9)
    }
}
