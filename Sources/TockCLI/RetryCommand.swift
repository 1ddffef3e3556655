import ArgumentParser

/// `tock retry ID`, and `tock retry --state failed --since 1h`: dead letters run again.
struct RetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry", abstract: "Run a finished job again as a new run, or every job a filter matches.",
        discussion: "With a filter instead of an id (--state failed by default; succeeded or cancelled), retries "
            + "the matching one-time jobs a batch at a time and prints how many.")
    @Argument(help: "Job id.") var id: String?
    @OptionGroup var bulk: BulkActionOptions
    @OptionGroup var server: ServerOption

    func run() async throws {
        guard let id else { return try await bulk.run(.retry, through: server.client) }
        guard bulk.filter.isEmpty else { throw ValidationError("give a job id or a filter, not both") }
        try await server.client.send(.POST, jobPath(id, "/retry"))
    }
}
