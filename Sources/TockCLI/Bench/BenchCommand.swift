import ArgumentParser

/// `tock bench ...`: the pieces `ops/bench` runs — a recording webhook sink, a load generator for it, the raw
/// JetStream baseline and the job submitter. Each prints one JSON object with its figures.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark tools used by ops/bench (each prints one JSON object).",
        subcommands: [
            BenchSinkCommand.self, BenchHammerCommand.self, BenchJetStreamCommand.self, BenchLoadCommand.self,
        ])
}
