import TockModel

/// Names on the broker, in one place (see Sources/ARCHITECTURE.md, "Subjects and streams").
public enum Subjects {
    /// One jobs stream per priority, so each has its own limits (max age, size).
    public static func jobsStream(priority: Priority) -> String { "TOCK_JOBS_\(priority.rawValue.uppercased())" }
    public static let doneStream = "TOCK_DONE"
    /// Outcome events (limits retention: users attach their own consumers; see events.proto).
    public static let eventsStream = "TOCK_EVENTS"
    /// The executors' shared consumer of `eventsStream`, which delivers callbacks.
    public static let callbackConsumer = "tock-callbacks"
    /// Every outcome event, for a consumer's filter.
    public static let eventsFilter = "tock.events.>"

    /// Where `shard` publishes an outcome `state` (succeeded, failed, cancelled).
    public static func events(shard: UInt32, state: String) -> String { "tock.events.\(shard).\(state)" }

    /// The subjects of the events stream: one wildcard per shard, so an event for a shard that does not exist is
    /// refused by the broker.
    public static func eventsSubjects(shardCount: UInt32) -> [String] {
        (0..<shardCount).map { "tock.events.\($0).*" }
    }

    public static func jobs(priority: Priority, shard: UInt32) -> String { "tock.jobs.\(priority.rawValue).\(shard)" }
    public static func jobsFilter(priority: Priority) -> String { "tock.jobs.\(priority.rawValue).>" }
    public static func done(shard: UInt32) -> String { "tock.done.\(shard)" }

    /// The subjects of `priority`'s jobs stream: exactly one per shard of the deployment, so the broker refuses a
    /// run published for any other subject instead of storing it where no shard would ever see it answered.
    public static func jobsSubjects(priority: Priority, shardCount: UInt32) -> [String] {
        (0..<shardCount).map { jobs(priority: priority, shard: $0) }
    }

    /// The subjects of the done stream: one per shard, so a completion for a shard that does not exist (or for
    /// `tock.done.abc`) is refused by the broker rather than kept with no consumer to take it.
    public static func doneSubjects(shardCount: UInt32) -> [String] {
        (0..<shardCount).map { done(shard: $0) }
    }

    /// The job API over NATS request/reply (`JobNATSService`).
    public static let submit = "tock.submit"
    public static let submitBatch = "tock.submit.batch"
    public static let get = "tock.get"
    public static let cancel = "tock.cancel"
    /// Dead letters and replay: a retry by id, and a retry or cancel by filter.
    public static let retry = "tock.retry"
    public static let retryBulk = "tock.retry.bulk"
    public static let cancelBulk = "tock.cancel.bulk"
    /// `tock.done.<shard>` as one name, for the `subject` label of a shard's rejected messages.
    public static let doneFamily = "tock.done"

    public static func executorConsumer(priority: Priority) -> String { "tock-exec-\(priority.rawValue)" }
    public static func doneConsumer(shard: UInt32) -> String { "tock-done-\(shard)" }

    /// Nats-Msg-Id of a run, so a republish inside the duplicate window is dropped.
    public static func runMessageID(jobID: String, run: UInt32) -> String { "\(jobID)/\(run)" }
    /// Nats-Msg-Id of a run published again because JetStream lost the message it had at `lostSequence`: not the
    /// first publish's id, which the duplicate window may still hold and would drop, and the same for every try
    /// of this one republish (so a try whose commit failed is dropped when repeated), but new for the next loss.
    public static func republishMessageID(jobID: String, run: UInt32, lostSequence: UInt64) -> String {
        "\(jobID)/\(run)/r\(lostSequence)"
    }
    /// Whether `messageID` is one this run was published under (`runMessageID` or a `republishMessageID`).
    public static func isMessageID(_ messageID: String, ofJob jobID: String, run: UInt32) -> Bool {
        let first = runMessageID(jobID: jobID, run: run)
        return messageID == first || messageID.hasPrefix(first + "/r")
    }
    public static func completionMessageID(jobID: String, run: UInt32) -> String { "\(jobID)/\(run)/done" }
    /// Nats-Msg-Id of a `CompletionBatch`: the executor, its process (`boot`, random at start) and the batch's
    /// number there, so a retried publish of the batch is dropped and no other batch ever shares it (a run's
    /// completion can travel in two batches, after a redelivery, and both must be stored).
    public static func completionBatchMessageID(executorID: String, boot: UInt64, sequence: UInt64) -> String {
        "\(executorID)/\(String(boot, radix: 16))/\(sequence)/done"
    }
    /// Executors' `ExecutorHeartbeat`s, which every node hears.
    public static let executorHeartbeats = "tock.executors.heartbeat"
    /// The header that marks a message on `tock.done.<shard>` as a `CompletionBatch` and gives its count; a
    /// message without it holds one `Completion`.
    public static let completionCountHeader = "Tock-Completions"
}
