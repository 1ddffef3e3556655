import TockWire

/// Names on the broker, in one place (see DESIGN.md "JetStream layout").
public enum Subjects {
    /// One jobs stream per priority, so each has its own limits (max age, size).
    public static func jobsStream(priority: Priority) -> String { "TOCK_JOBS_\(priority.rawValue.uppercased())" }
    public static let doneStream = "TOCK_DONE"

    public static func jobs(priority: Priority, shard: UInt32) -> String { "tock.jobs.\(priority.rawValue).\(shard)" }
    public static func jobsFilter(priority: Priority) -> String { "tock.jobs.\(priority.rawValue).>" }
    public static func done(shard: UInt32) -> String { "tock.done.\(shard)" }

    public static func executorConsumer(priority: Priority) -> String { "tock-exec-\(priority.rawValue)" }
    public static func doneConsumer(shard: UInt32) -> String { "tock-done-\(shard)" }

    /// Nats-Msg-Id of a run, so a republish inside the duplicate window is dropped.
    public static func runMessageID(jobID: String, run: UInt32) -> String { "\(jobID)/\(run)" }
    public static func completionMessageID(jobID: String, run: UInt32) -> String { "\(jobID)/\(run)/done" }
}
