import ArgumentParser
import Foundation
import TockFrontDoor

/// `tock flows`: the flow API (`GET /v1/flows`, `GET`, `PUT` and `DELETE /v1/flows/{key}`) from the command line.
struct FlowsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flows",
        abstract:
            "List flows (per key: limits, runs due, held back and in flight); read, set or delete a key's limits.",
        subcommands: [List.self, Get.self, SetLimits.self, Delete.self], defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List the flows with limits or with runs held back or in flight, on every shard, in key order.")

        @Flag(help: "Print the API's JSON: {\"flows\": [...]}.") var json = false
        @OptionGroup var server: ServerOption

        func run() async throws {
            let data = try await server.client.answer(.GET, "/v1/flows")
            if json { return print(String(decoding: data, as: UTF8.self)) }
            print(try FlowTable.render(FlowTable.decode(data).flows, limit: nil), terminator: "")
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "get", abstract: "Show a flow key's limits and runs as JSON.")

        @Argument(help: "The flow key.") var key: String
        @OptionGroup var server: ServerOption

        func run() async throws {
            try await server.client.send(.GET, FlowsCommand.path(key))
        }
    }

    struct SetLimits: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Set a flow key's limits for all its pending runs; a limit not given is removed.")

        @Argument(help: "The flow key.") var key: String
        @Option(help: ArgumentHelp("At most this many runs per second, minute or hour.", valueName: "N/s|N/m|N/h"))
        var rate: String?
        @Option(help: "At most this many runs published and not yet done, fleet-wide.") var concurrency: Int?
        @OptionGroup var server: ServerOption

        func run() async throws {
            var body: [String: Any] = [:]
            if let rate { body["rate"] = rate }
            if let concurrency { body["concurrency"] = concurrency }
            let json = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
            try await server.client.send(.PUT, FlowsCommand.path(key), json: json)
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "delete",
            abstract: "Remove a flow key's limits (its runs still take turns with other keys').")

        @Argument(help: "The flow key.") var key: String
        @OptionGroup var server: ServerOption

        func run() async throws {
            try await server.client.send(.DELETE, FlowsCommand.path(key))
        }
    }

    /// A key's path, every byte that is not unreserved percent-encoded: the API names what is wrong with a bad key,
    /// which a `/` or `?` in the path would hide.
    static func path(_ key: String) -> String {
        let unreserved = CharacterSet(charactersIn: "-._~").union(.alphanumerics)
        return "/v1/flows/\(key.addingPercentEncoding(withAllowedCharacters: unreserved) ?? key)"
    }
}

/// Flows as a table, for `tock flows` and `tock status`.
enum FlowTable {
    static func decode(_ data: Data) throws -> FlowList {
        do {
            return try JSONDecoder().decode(FlowList.self, from: data)
        } catch {
            FileHandle.standardError.write(Data("tock: an answer that is not a flow list\n".utf8))
            throw ExitCode(1)
        }
    }

    /// One row per flow; with `limit`, the first `limit` and a line saying how many more there are.
    static func render(_ flows: [FlowView], limit: Int?) -> String {
        guard !flows.isEmpty else { return "no flows with limits or runs\n" }
        let shown = limit.map { Array(flows.prefix($0)) } ?? flows
        var table = TextTable(
            header: ["key", "tenant", "shard", "rate", "concurrency", "due", "held back", "in flight"],
            flexibleColumn: 0, rightAligned: [2, 4, 5, 6, 7])
        table.rows = shown.map { flow in
            [
                flow.key, flow.tenant.isEmpty ? "-" : flow.tenant, "\(flow.shard)", flow.rate ?? "-",
                flow.concurrency.map { "\($0)" } ?? "-", "\(flow.due)", "\(flow.held_back)", "\(flow.in_flight)",
            ]
        }
        let more = flows.count - shown.count
        return table.render(width: TextTable.terminalWidth()) + (more > 0 ? "and \(more) more\n" : "")
    }
}
