import ArgumentParser
import Foundation
import TockCore

struct SubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit", abstract: "Submit a job; prints it as JSON.")

    @Option(help: "Webhook URL (http or https).") var url: String
    @Option(help: "HTTP method.") var method: String?
    @Option(name: .customLong("header"), help: "A request header, Name:Value (repeatable).") var headers: [String] = []
    @Option(help: "Request body.") var body: String?
    @Option(help: "When to run, RFC 3339.") var runAt: String?
    @Option(help: "When to run, from now: 500ms, 30s, 5m, 1h30m.") var delay: String?
    @Option(help: "critical, high, normal or low.") var priority: String?
    @Option(help: "Webhook timeout, e.g. 30s.") var timeout: String?
    @Option(help: "Delivery attempts before the job fails.") var maxAttempts: Int?
    @Option(help: "Submitting twice with one key creates one job.") var idempotencyKey: String?
    @Option(help: "Make the job recurring: a cron expression (5 or 6 fields) or a macro such as @hourly, '@every 90s'.")
    var cron: String?
    @Option(help: "With --cron: the IANA time zone the expression is read in (default UTC).") var timeZone: String?
    @Option(help: "With --cron: allow, skip or wait when a run comes due while the previous one is still running.")
    var overlap: String?
    @Option(help: "The flow key whose limits pace the job's runs across every executor.") var flow: String?
    @Option(help: "With --flow: set the key's rate, N/s, N/m or N/h.") var flowRate: String?
    @Option(help: "With --flow: set the key's concurrency (runs published and not done).") var flowConcurrency: Int?
    @OptionGroup var server: ServerOption

    func run() async throws {
        guard cron != nil || (timeZone == nil && overlap == nil) else {
            throw ValidationError("--time-zone and --overlap go with --cron")
        }
        guard flow != nil || (flowRate == nil && flowConcurrency == nil) else {
            throw ValidationError("--flow-rate and --flow-concurrency go with --flow")
        }
        var fields: [String: JSONValue] = ["url": .string(url)]
        if let method { fields["method"] = .string(method) }
        if !headers.isEmpty {
            var object: [String: JSONValue] = [:]
            for header in headers {
                guard let colon = header.firstIndex(of: ":") else {
                    throw ValidationError("--header must be Name:Value, got '\(header)'")
                }
                object[String(header[..<colon])] = .string(
                    header[header.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }
            fields["headers"] = .object(object)
        }
        if let body { fields["body"] = .string(body) }
        if let runAt { fields["run_at"] = .string(runAt) }
        if let delay { fields["delay"] = .string(delay) }
        if let priority { fields["priority"] = .string(priority) }
        if let timeout { fields["timeout"] = .string(timeout) }
        if let maxAttempts { fields["max_attempts"] = .int(Int64(maxAttempts)) }
        if let idempotencyKey { fields["idempotency_key"] = .string(idempotencyKey) }
        if let cron {
            var schedule: [String: JSONValue] = ["cron": .string(cron)]
            if let timeZone { schedule["time_zone"] = .string(timeZone) }
            if let overlap { schedule["overlap"] = .string(overlap) }
            fields["schedule"] = .object(schedule)
        }
        if let flow {
            var object: [String: JSONValue] = ["key": .string(flow)]
            if let flowRate { object["rate"] = .string(flowRate) }
            if let flowConcurrency { object["concurrency"] = .int(Int64(flowConcurrency)) }
            fields["flow"] = .object(object)
        }
        try await server.client.send(.POST, "/v1/jobs", json: try JSONEncoder().encode(JSONValue.object(fields)))
    }
}

struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "Show a job as JSON.")
    @Argument(help: "Job id.") var id: String
    @OptionGroup var server: ServerOption

    func run() async throws {
        try await server.client.send(.GET, jobPath(id))
    }
}

/// `tock pause ID`, `tock resume ID`, `tock runs ID`: a recurring job's controls and history.
struct PauseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause", abstract: "Stop a recurring job's runs until resumed.")
    @Argument(help: "Job id.") var id: String
    @OptionGroup var server: ServerOption

    func run() async throws {
        try await server.client.send(.POST, jobPath(id, "/pause"))
    }
}

struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume", abstract: "Resume a paused recurring job from its next occurrence.")
    @Argument(help: "Job id.") var id: String
    @OptionGroup var server: ServerOption

    func run() async throws {
        try await server.client.send(.POST, jobPath(id, "/resume"))
    }
}

struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "runs", abstract: "Show a job's runs and outcomes.")
    @Argument(help: "Job id.") var id: String
    @Option(help: "The next_cursor of the previous page: runs after that one.") var cursor: UInt32 = 0
    @Option(help: "Runs per page, 1 to 1000.") var limit: Int = 100
    @OptionGroup var server: ServerOption

    func run() async throws {
        try await server.client.send(.GET, jobPath(id, "/runs?cursor=\(cursor)&limit=\(limit)"))
    }
}

struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel", abstract: "Cancel a job that has not finished, or every job a filter matches.",
        discussion: "With a filter instead of an id (--state scheduled or published, both by default), cancels "
            + "the matching jobs a batch at a time and prints how many.")
    @Argument(help: "Job id.") var id: String?
    @OptionGroup var bulk: BulkActionOptions
    @OptionGroup var server: ServerOption

    func run() async throws {
        guard let id else { return try await bulk.run(.cancel, through: server.client) }
        guard bulk.filter.isEmpty else { throw ValidationError("give a job id or a filter, not both") }
        try await server.client.send(.DELETE, jobPath(id))
    }
}

/// `/v1/jobs/<id>[suffix]`, the id escaped for a URL path.
func jobPath(_ id: String, _ suffix: String = "") -> String {
    "/v1/jobs/\(id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? id)\(suffix)"
}
