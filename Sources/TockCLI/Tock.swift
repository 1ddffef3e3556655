import ArgumentParser

@main
struct Tock: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tock",
        abstract: "Tock: jobs and webhooks at a time or on a schedule, published through NATS JetStream.",
        discussion: EnvironmentArguments.help,
        subcommands: [
            ShardCommand.self, ExecutorCommand.self, RouterCommand.self, DevCommand.self, SubmitCommand.self,
            GetCommand.self, ListCommand.self, CountsCommand.self,
            CancelCommand.self, RetryCommand.self, PauseCommand.self, ResumeCommand.self, RunsCommand.self,
            StatusCommand.self, FlowsCommand.self,
            NATSCommand.self, ConfigCommand.self, SinkCommand.self, BenchCommand.self, AuthCommand.self,
            ChildGuardCommand.self,
        ])
}
