import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import TockCore
import TockFrontDoor
import TockModel
import TockNATS
import TockShard
import TockWire

/// `tock status`: the queues per priority (from JetStream), each shard node given, each executor given, and the
/// flows (`GET /v1/flows` from the first node that answers), the most held back first.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract:
            "Show queue depth per priority, shard leaders and job counts, executors' in-flight runs and open circuits, "
            + "and flows (per key: limits, runs due, held back and in flight)."
    )
    /// The flows the text shows; `--json` has them all.
    static let flowsShown = 20

    @OptionGroup var nats: NATSOptions
    @Option(name: .customLong("server"), help: "A shard node's HTTP API (repeatable).")
    var servers: [String] = ["http://127.0.0.1:7070"]
    @OptionGroup var token: TokenOption
    @Option(
        name: .customLong("executor"), help: "An executor's metrics address, e.g. http://127.0.0.1:7080 (repeatable).")
    var executors: [String] = []
    @Flag(help: "Print one JSON object, for scripts.") var json = false
    @Option(help: "Refresh every this many seconds until interrupted.") var watch: Double?

    struct Report: Codable {
        var priorities: [String: QueueDepth]
        var shards: [String: JSONValue]
        var executors: [String: JSONValue]
        /// `GET /v1/flows`'s answer, or `{"error": ...}`.
        var flows: JSONValue
    }

    func run() async throws {
        if let watch {
            guard watch > 0 else { throw ValidationError("--watch must be a positive number of seconds") }
            while !Task.isCancelled {
                let text = try await render()
                print("\u{1B}[H\u{1B}[2J" + text, terminator: "")
                try await Task.sleep(for: .milliseconds(Int64(watch * 1000)))
            }
        } else {
            print(try await render(), terminator: "")
        }
    }

    private func render() async throws -> String {
        let report = try await collect()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return String(decoding: try encoder.encode(report), as: UTF8.self) + "\n"
        }
        var out = "priority    depth  pending  ack_pending  redelivered  oldest\n"
        for priority in Priority.allCases {
            guard let q = report.priorities[priority.rawValue] else { continue }
            let age = q.oldestAgeSeconds.map { String(format: "%.1fs", $0) } ?? "-"
            out +=
                priority.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)
                + String(format: "%7llu %8llu %12d %12d  %@\n", q.depth, q.pending, q.ackPending, q.redelivered, age)
        }
        for (server, status) in report.shards.sorted(by: { $0.key < $1.key }) {
            out += "\nshard node \(server): \(Self.describeShard(status))"
        }
        for (executor, status) in report.executors.sorted(by: { $0.key < $1.key }) {
            out += "\nexecutor \(executor): \(Self.describeExecutor(status))"
        }
        return out + "\n" + Self.describeFlows(report.flows)
    }

    private func collect() async throws -> Report {
        let connection = try nats.connect(name: "tock-status")
        defer { connection.close() }
        let js = try connection.jetStream()
        let now = SystemWallClock().nowNs()
        var priorities: [String: QueueDepth] = [:]
        for priority in Priority.allCases {
            do {
                priorities[priority.rawValue] = try await QueueDepth.read(priority, from: js, nowNs: now)
            } catch {
                throw CLIError("cannot read the \(priority.rawValue) queue: \(error) (has `tock nats apply` run?)")
            }
        }
        var shards: [String: JSONValue] = [:]
        for server in servers { shards[server] = await Self.fetchJSON(server, "/v1/status", token: token.resolved) }
        var executorStatus: [String: JSONValue] = [:]
        for executor in executors { executorStatus[executor] = await Self.fetchJSON(executor, "/v1/status") }
        var flows = JSONValue.object(["error": .string("no --server given")])
        for server in servers {
            flows = await Self.fetchJSON(server, "/v1/flows", token: token.resolved)
            if flows["error"] == nil { break }
        }
        return Report(priorities: priorities, shards: shards, executors: executorStatus, flows: flows)
    }

    /// The JSON a node answers, or `{"error": ...}` when it cannot be reached.
    private static func fetchJSON(_ base: String, _ path: String, token: String? = nil) async -> JSONValue {
        do {
            var request = HTTPClientRequest(url: base.trimmingCharacters(in: ["/"]) + path)
            if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
            let body = try await response.body.collect(upTo: 1 << 20)
            return try JSONDecoder().decode(JSONValue.self, from: Data(buffer: body))
        } catch {
            return .object(["error": .string("\(error)")])
        }
    }

    private static func describeShard(_ status: JSONValue) -> String {
        guard case .object(let o) = status else { return "?" }
        if case .string(let error)? = o["error"] { return "unreachable (\(error))" }
        var parts: [String] = []
        if case .object(let cluster)? = o["cluster"] {
            let leader = { if case .string(let s)? = cluster["leader"] { s } else { "none" } }()
            let role = { if case .string(let s)? = cluster["role"] { s } else { "?" } }()
            parts.append(
                "\(role), leader \(leader), term \(cluster["term"].map(\.displayText) ?? "?"), "
                    + "commit \(cluster["commit_index"].map(\.displayText) ?? "?")")
        }
        if case .object(let jobs)? = o["jobs"] {
            parts.append(
                "jobs "
                    + JobStateOrder.names.compactMap { name in jobs[name].map { "\(name) \($0.displayText)" } }
                    .joined(separator: ", "))
        }
        if let due = o["due_unpublished"] { parts.append("due but unpublished \(due.displayText)") }
        return parts.joined(separator: "; ")
    }

    private static func describeFlows(_ answer: JSONValue) -> String {
        guard let data = try? JSONEncoder().encode(answer),
            let list = try? JSONDecoder().decode(FlowList.self, from: data)
        else {
            let error = answer["error"]?["message"] ?? answer["error"]
            return "\nflows: unavailable (\(error?.displayText ?? "an answer that is not a flow list"))\n"
        }
        guard !list.flows.isEmpty else { return "\nflows: none with limits or runs\n" }
        return "\nflows, the most held back first:\n"
            + FlowTable.render(list.flows.sorted(by: FlowView.busiestFirst), limit: flowsShown)
    }

    private static func describeExecutor(_ status: JSONValue) -> String {
        guard case .object(let o) = status else { return "?" }
        if case .string(let error)? = o["error"] { return "unreachable (\(error))" }
        var text = "\(o["id"].map(\.displayText) ?? "?"), in flight \(o["in_flight"].map(\.displayText) ?? "?")"
        if case .array(let circuits)? = o["open_circuits"], !circuits.isEmpty {
            text +=
                ", circuits not closed: "
                + circuits.compactMap { circuit -> String? in
                    guard case .object(let c) = circuit else { return nil }
                    return "\(c["host"].map(\.displayText) ?? "?") \(c["state"].map(\.displayText) ?? "?")"
                }.joined(separator: ", ")
        }
        return text
    }

    private enum JobStateOrder {
        static let names = ["scheduled", "published", "succeeded", "failed", "cancelled"]
    }
}
