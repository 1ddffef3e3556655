import TockCore
import TockNATS
import TockWire

/// Creates or updates Tock's streams and consumers from a `JetStreamLayout`. Safe to run any number of times.
public enum JetStreamSetup {
    /// Returns one line per stream or consumer saying whether it was created or updated.
    @discardableResult
    public static func apply(_ layout: JetStreamLayout, to js: JetStream) throws -> [String] {
        var report: [String] = []
        let storage: StreamConfig.Storage = layout.storage == "memory" ? .memory : .file
        for (name, subjects, limits) in [
            (Subjects.jobsStream, ["tock.jobs.>"], layout.jobs), (Subjects.doneStream, ["tock.done.>"], layout.done),
        ] {
            let result = try js.ensureStream(StreamConfig(
                name: name, subjects: subjects, retention: .workQueue, storage: storage, replicas: layout.replicas,
                maxAge: limits.maxAgeNs.map { .nanoseconds($0) }, maxMessages: limits.maxMessages,
                maxBytes: limits.maxBytes, duplicateWindow: .nanoseconds(layout.duplicateWindowNs)))
            report.append("stream \(name): \(result)")
        }
        for priority in Priority.allCases {
            let consumer = layout.priorities[priority] ?? .init()
            let name = Subjects.executorConsumer(priority: priority)
            let result = try js.ensureConsumer(stream: Subjects.jobsStream, config(name, Subjects.jobsFilter(priority: priority), consumer))
            report.append("consumer \(Subjects.jobsStream)/\(name): \(result)")
        }
        for shard in 0..<layout.shardCount {
            let name = Subjects.doneConsumer(shard: shard)
            let result = try js.ensureConsumer(stream: Subjects.doneStream, config(name, Subjects.done(shard: shard), layout.completions))
            report.append("consumer \(Subjects.doneStream)/\(name): \(result)")
        }
        return report
    }

    private static func config(_ durable: String, _ filter: String, _ consumer: JetStreamLayout.Consumer) -> ConsumerConfig {
        ConsumerConfig(durable: durable, filterSubject: filter, ackWait: .nanoseconds(consumer.ackWaitNs),
                       maxDeliver: consumer.maxDeliver, maxAckPending: consumer.maxAckPending)
    }
}
