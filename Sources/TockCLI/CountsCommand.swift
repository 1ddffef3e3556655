import ArgumentParser
import Foundation
import TockCore
import TockShard

/// `tock counts`: `GET /v1/jobs:counts`, jobs by state in total and per shard.
struct CountsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "counts", abstract: "Show how many jobs are in each state, in total and per shard.")

    @Flag(help: "Print the API's JSON: {\"total\": {...}, \"shards\": {\"0\": {...}, ...}}.") var json = false
    @OptionGroup var server: ServerOption

    func run() async throws {
        let data = try await server.client.answer(.GET, "/v1/jobs:counts")
        if json { return print(String(decoding: data, as: UTF8.self)) }
        guard let counts = try? JSONDecoder().decode(JSONValue.self, from: data),
            case .object(let total)? = counts["total"]
        else {
            FileHandle.standardError.write(Data("tock: an answer that is not job counts\n".utf8))
            throw ExitCode(1)
        }
        print(Self.table(total: total, shards: counts["shards"]).render(width: nil), terminator: "")
    }

    /// A row per state (the known ones in their lifecycle order, then any other the shard names); a column for
    /// the total, then one per shard in shard order.
    static func table(total: [String: JSONValue], shards: JSONValue?) -> TextTable {
        let known = JobState.allCases.map(\.rawValue)
        let states = known + total.keys.filter { !known.contains($0) }.sorted()
        var perShard: [(name: String, counts: JSONValue)] = []
        if case .object(let shards)? = shards {
            perShard = shards.sorted { (Int($0.key) ?? Int.max, $0.key) < (Int($1.key) ?? Int.max, $1.key) }
                .map { (name: $0.key, counts: $0.value) }
        }
        var table = TextTable(
            header: ["state", "total"] + perShard.map { "shard \($0.name)" },
            rightAligned: Set(1...(1 + perShard.count)))
        table.rows = states.map { state in
            [state, total[state]?.displayText ?? "0"] + perShard.map { $0.counts[state]?.displayText ?? "0" }
        }
        return table
    }
}
