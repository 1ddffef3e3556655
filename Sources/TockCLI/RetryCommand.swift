import ArgumentParser
import Foundation
import TockCore

/// `tock retry ID`, and `tock retry --state failed --since 1h`: dead letters run again.
struct RetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry", abstract: "Run a finished job again as a new run, or every job a filter matches.",
        discussion: "With a filter instead of an id (--state failed by default; succeeded or cancelled), retries "
            + "the matching one-time jobs a batch at a time and prints how many.")
    @Argument(help: "Job id.") var id: String?
    @OptionGroup var filter: JobFilterOptions
    @OptionGroup var server: ServerOption

    func run() async throws {
        guard let id else { return try await filter.bulk(.retry, through: server.client) }
        guard filter.isEmpty else { throw ValidationError("give a job id or a filter, not both") }
        try await server.client.send(.POST, jobPath(id, "/retry"))
    }
}

/// The filter of `tock retry` and `tock cancel` without an id: the body of `POST /v1/jobs:retry` or `:cancel`.
struct JobFilterOptions: ParsableArguments {
    @Option(help: "Only jobs in this state.") var state: String?
    @Option(help: "Only jobs of this priority: critical, high, normal or low.") var priority: String?
    @Option(help: "Only jobs whose URL has this host (case-insensitive).") var host: String?
    @Option(help: "Only jobs updated (finished, cancelled) since: RFC 3339, or a duration before now such as 1h.")
    var since: String?
    @Option(help: "Only jobs updated before: RFC 3339, or a duration before now.") var until: String?
    @Option(help: "Only this tenant's jobs (an admin key's choice; others act on their own tenant's).")
    var tenant: String?
    @Option(help: "Jobs per shard per call, 1 to 1000.") var batch: Int = 100

    var isEmpty: Bool { [state, priority, host, since, until, tenant].allSatisfy { $0 == nil } }

    enum Action: String { case retry, cancel }

    struct Answer: Decodable {
        var affected: Int
        var next_cursor: String?
    }

    /// Calls until no shard has more, then prints `{"affected": N}`. `since` and `until` are sent as the first
    /// call resolved them, so every batch takes the same window.
    func bulk(_ action: Action, through client: APIClient) async throws {
        var fields: [String: JSONValue] = ["limit": .int(Int64(batch))]
        for (name, value) in [("state", state), ("priority", priority), ("host", host), ("tenant", tenant)] {
            if let value { fields[name] = .string(value) }
        }
        for (name, value) in [("since", since), ("until", until)] {
            if let value { fields[name] = .string(Self.absolute(value)) }
        }
        var affected = 0
        while true {
            let body = try JSONEncoder().encode(JSONValue.object(fields))
            let data = try await client.answer(.POST, "/v1/jobs:\(action.rawValue)", json: body)
            guard let answer = try? JSONDecoder().decode(Answer.self, from: data) else {
                FileHandle.standardError.write(Data("tock: an answer that is not a bulk result\n".utf8))
                throw ExitCode(1)
            }
            affected += answer.affected
            guard let cursor = answer.next_cursor else { break }
            fields["cursor"] = .string(cursor)
        }
        print(#"{"affected":\#(affected)}"#)
    }

    /// A duration becomes the time it names now, once, for every call of the loop.
    static func absolute(_ text: String) -> String {
        guard RFC3339.parseNs(text) == nil, let ago = DurationText.parseNs(text) else { return text }
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000_000)
        return RFC3339.format(ns: now.saturatingSubtracting(ago), fractionDigits: 9)
    }
}
