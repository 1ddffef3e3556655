import TockModel

extension Subjects {
    /// The priority and shard of a `tock.jobs.<priority>.<shard>` subject; nil for any other subject, one whose
    /// shard token is not a `UInt32` written as Tock writes it (no sign, no leading zero) included.
    public static func parseJobs(_ subject: String) -> (priority: Priority, shard: UInt32)? {
        let tokens = subject.split(separator: ".", omittingEmptySubsequences: false)
        guard tokens.count == 4, tokens[0] == "tock", tokens[1] == "jobs",
            let priority = Priority(rawValue: String(tokens[2])), let shard = shardToken(tokens[3])
        else { return nil }
        return (priority, shard)
    }

    /// The shard of a `tock.done.<shard>` subject; nil for any other subject.
    public static func parseDone(_ subject: String) -> UInt32? {
        let tokens = subject.split(separator: ".", omittingEmptySubsequences: false)
        guard tokens.count == 3, tokens[0] == "tock", tokens[1] == "done" else { return nil }
        return shardToken(tokens[2])
    }

    private static func shardToken(_ token: Substring) -> UInt32? {
        guard let shard = UInt32(token), String(shard) == token else { return nil }
        return shard
    }
}
