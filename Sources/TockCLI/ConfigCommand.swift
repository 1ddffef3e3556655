import ArgumentParser
import TockCore
import TockModel
import TockWire

struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Work with the queue config file.", subcommands: [Check.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a queue config file; print what it sets, or the key at fault and exit 1.")

        @Argument(help: "The file, e.g. nats/tock.yaml.") var file: String

        func run() async throws {
            let config = try loadQueueConfig(path: file)
            print("\(file): ok")
            print(
                "executor: concurrency \(config.executor.concurrency), fetch_batch \(config.executor.fetchBatch), "
                    + "scheduling \(config.executor.scheduling.rawValue)")
            let total = Priority.allCases.map { config[$0].weight }.reduce(0, +)
            for priority in Priority.allCases {
                let queue = config[priority]
                let share =
                    config.executor.scheduling == .weighted
                    ? "weight \(queue.weight) (\(queue.weight * 100 / total)% under saturation)" : "strict"
                let backoff = queue.backoffNs.map { DurationText.format(ns: $0) }.joined(separator: ", ")
                print(
                    "\(priority.rawValue): \(share), ack_wait \(DurationText.format(ns: queue.consumer.ackWaitNs)), "
                        + "max_deliver \(queue.consumer.maxDeliver), max_ack_pending \(queue.consumer.maxAckPending), "
                        + "max_age \(queue.stream.maxAgeNs.map { DurationText.format(ns: $0) } ?? "none"), "
                        + "backoff [\(backoff)]")
            }
            print(
                config.egress.isEmpty
                    ? "egress: global addresses only"
                    : "egress: global addresses and \(config.egress.entries.joined(separator: ", "))")
        }
    }
}
