import TockCore
import TockModel
import TockNATS
import TockWire

/// Creates or updates Tock's streams and consumers from a `QueueConfig`. Safe to run any number of times.
public enum JetStreamSetup {
    /// Returns one line per stream or consumer saying whether it was created or updated.
    @discardableResult
    public static func apply(_ layout: QueueConfig, to js: JetStream) throws -> [String] {
        var report: [String] = []
        let storage: StreamConfig.Storage = layout.storage == "memory" ? .memory : .file
        // Each stream takes the subjects of the shards of the layout only: the broker refuses anything published
        // for another shard or token (`tock.done.abc`), which would otherwise sit in the stream unconsumed.
        let streams =
            Priority.allCases.map {
                (
                    Subjects.jobsStream(priority: $0),
                    Subjects.jobsSubjects(priority: $0, shardCount: layout.shardCount),
                    layout[$0].stream
                )
            } + [(Subjects.doneStream, Subjects.doneSubjects(shardCount: layout.shardCount), layout.done)]
        for (name, subjects, limits) in streams {
            let result = try js.ensureStream(
                StreamConfig(
                    name: name, subjects: subjects, retention: .workQueue, storage: storage, replicas: layout.replicas,
                    maxAge: limits.maxAgeNs.map { .nanoseconds($0) }, maxMessages: limits.maxMessages,
                    maxBytes: limits.maxBytes, duplicateWindow: .nanoseconds(layout.duplicateWindowNs)))
            report.append("stream \(name): \(result)")
        }
        // Limits retention: events stay for their max age whoever reads them, so users' consumers and the
        // executors' callback consumer each see every one.
        let events = try js.ensureStream(
            StreamConfig(
                name: Subjects.eventsStream, subjects: Subjects.eventsSubjects(shardCount: layout.shardCount),
                retention: .limits, storage: storage, replicas: layout.replicas,
                maxAge: layout.events.maxAgeNs.map { .nanoseconds($0) }, maxMessages: layout.events.maxMessages,
                maxBytes: layout.events.maxBytes, duplicateWindow: .nanoseconds(layout.duplicateWindowNs)))
        report.append("stream \(Subjects.eventsStream): \(events)")
        // maxDeliver unlimited: the executor ends an event's callbacks by the job's own max_attempts.
        let callbacks = try js.ensureConsumer(
            stream: Subjects.eventsStream,
            config(
                Subjects.callbackConsumer, Subjects.eventsFilter, QueueConfig.Consumer()))
        report.append("consumer \(Subjects.eventsStream)/\(Subjects.callbackConsumer): \(callbacks)")
        for priority in Priority.allCases {
            let stream = Subjects.jobsStream(priority: priority)
            let name = Subjects.executorConsumer(priority: priority)
            let result = try js.ensureConsumer(
                stream: stream, config(name, Subjects.jobsFilter(priority: priority), layout[priority].consumer))
            report.append("consumer \(stream)/\(name): \(result)")
        }
        for shard in 0..<layout.shardCount {
            let name = Subjects.doneConsumer(shard: shard)
            let result = try js.ensureConsumer(
                stream: Subjects.doneStream, config(name, Subjects.done(shard: shard), layout.completions))
            report.append("consumer \(Subjects.doneStream)/\(name): \(result)")
        }
        return report
    }

    private static func config(_ durable: String, _ filter: String, _ consumer: QueueConfig.Consumer) -> ConsumerConfig
    {
        ConsumerConfig(
            durable: durable, filterSubject: filter, ackWait: .nanoseconds(consumer.ackWaitNs),
            maxDeliver: consumer.maxDeliver, maxAckPending: consumer.maxAckPending)
    }
}
