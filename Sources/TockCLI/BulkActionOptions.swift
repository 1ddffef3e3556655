import ArgumentParser
import Foundation
import TockCore

/// `tock retry` and `tock cancel` with a filter instead of an id: `POST /v1/jobs:retry` or `:cancel`, a batch at a
/// time until no shard has more.
struct BulkActionOptions: ParsableArguments {
    @OptionGroup var filter: JobFilterOptions
    @Option(help: "Jobs per shard per call, 1 to 1000.") var batch: Int = 100

    enum Action: String { case retry, cancel }

    struct Answer: Decodable {
        var affected: Int
        var next_cursor: String?
    }

    /// Calls until no shard has more, then prints `{"affected": N}`; on a terminal, stderr shows the count so far
    /// after each call.
    func run(_ action: Action, through client: APIClient, progress: TerminalProgress = TerminalProgress())
        async throws
    {
        var fields: [String: JSONValue] = ["limit": .int(Int64(batch))]
        for (name, value) in filter.resolved() { fields[name] = .string(value) }
        var affected = 0
        defer { progress.finish() }
        while true {
            let body = try JSONEncoder().encode(JSONValue.object(fields))
            let data = try await client.answer(.POST, "/v1/jobs:\(action.rawValue)", json: body)
            guard let answer = try? JSONDecoder().decode(Answer.self, from: data) else {
                FileHandle.standardError.write(Data("tock: an answer that is not a bulk result\n".utf8))
                throw ExitCode(1)
            }
            affected = affected.addingReportingOverflow(answer.affected).partialValue
            guard let cursor = answer.next_cursor else { break }
            progress.show("tock \(action.rawValue): \(affected) so far, more to come…")
            fields["cursor"] = .string(cursor)
        }
        progress.finish()
        print(#"{"affected":\#(affected)}"#)
    }
}
