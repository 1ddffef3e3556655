import ArgumentParser
import Foundation
import TockCore

/// `tock list`: `GET /v1/jobs` with its filters and cursor paging, as a table or the API's JSON.
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List jobs, oldest first: one page, or with --all every job the filter matches.",
        discussion: "A table by default (fitted to the terminal's width; whole when piped). --json prints the API's "
            + "page as it is ({\"jobs\": [...], \"next_cursor\": ...}); with --all, one job object per line (JSON "
            + "lines), so that the output streams page by page. Without --all, a next page is named on stderr.")

    @OptionGroup var filter: JobFilterOptions
    @Option(help: "Only the job submitted with this idempotency key.") var idempotencyKey: String?
    @Option(help: "Jobs per page, 1 to 1000 (the API's default: 100).") var limit: Int?
    @Option(help: "The next_cursor of the previous page: jobs after it.") var cursor: String?
    @Flag(help: "Follow next_cursor to the last page.") var all = false
    @Flag(help: "Print JSON: the API's page, or with --all one job per line.") var json = false
    @OptionGroup var server: ServerOption

    func run() async throws {
        var parameters = filter.resolved()
        if let idempotencyKey { parameters.append(("idempotency_key", idempotencyKey)) }
        if let limit { parameters.append(("limit", String(limit))) }
        let client = server.client
        let progress = TerminalProgress(enabled: all && TerminalProgress().enabled)
        defer { progress.finish() }
        var table = JobTable()
        var cursor = self.cursor
        var seen = 0
        while true {
            let data = try await client.answer(.GET, "/v1/jobs?" + Self.query(parameters, cursor: cursor))
            guard let page = try? JSONDecoder().decode(JSONValue.self, from: data),
                case .array(let jobs)? = page["jobs"]
            else {
                FileHandle.standardError.write(Data("tock: an answer that is not a page of jobs\n".utf8))
                throw ExitCode(1)
            }
            var next: String?
            if case .string(let cursor)? = page["next_cursor"] { next = cursor }
            switch (json, all) {
            case (true, false): return print(String(decoding: data, as: UTF8.self))
            case (true, true): for job in jobs { print(try Self.line(job)) }
            case (false, _): table.add(jobs)
            }
            seen += jobs.count
            guard let next else { break }
            guard all else {
                FileHandle.standardError.write(Data("tock: more jobs: --cursor \(next), or --all\n".utf8))
                break
            }
            progress.show("tock list: \(seen) jobs so far, more to come…")
            // A cursor that does not move would page forever.
            guard next != cursor else { throw CLIError("the server answered next_cursor \(next) again") }
            cursor = next
        }
        progress.finish()
        if !json { print(table.text.render(width: TextTable.terminalWidth()), terminator: "") }
    }

    /// A query string, each value percent-encoded (a `+` in an RFC 3339 offset included).
    static func query(_ parameters: [(name: String, value: String)], cursor: String?) -> String {
        let unreserved = CharacterSet(
            charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        var all = parameters
        if let cursor { all.append((name: "cursor", value: cursor)) }
        return all.map { parameter in
            let value = parameter.value
            return "\(parameter.name)=\(value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? value)"
        }.joined(separator: "&")
    }

    private static func line(_ job: JSONValue) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(job), as: UTF8.self)
    }
}

/// `tock list`'s table: a job a row, its destination the column that gives way on a narrow terminal.
struct JobTable {
    var text = TextTable(
        header: ["id", "state", "priority", "destination", "run_at", "attempts", "last_status"],
        flexibleColumn: 3, rightAligned: [5, 6])

    mutating func add(_ jobs: [JSONValue]) {
        text.rows += jobs.map { job in
            // A NATS or timer job reads back with an empty url and its kind in "destination".
            var destination = job["destination"]?.displayText ?? "-"
            if case .string(let url)? = job["url"], !url.isEmpty {
                destination = url
            } else if let subject = job["nats"]?["subject"] {
                destination = "nats:" + subject.displayText
            }
            let attempts = (job["attempts"]?.displayText ?? "?") + "/" + (job["max_attempts"]?.displayText ?? "?")
            var lastStatus = "-"
            if let status = job["last_status"], status != .null { lastStatus = status.displayText }
            return [
                job["id"]?.displayText ?? "?", job["state"]?.displayText ?? "?",
                job["priority"]?.displayText ?? "?", destination, job["run_at"]?.displayText ?? "-", attempts,
                lastStatus,
            ]
        }
    }
}
