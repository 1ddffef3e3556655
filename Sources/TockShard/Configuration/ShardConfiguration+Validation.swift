/// The rules a shard's configuration must meet, whoever builds it (the CLI, a test, an embedding program). Errors
/// name the `tock shard` option that sets the value.
extension ShardConfiguration {
    /// Each labelled flow is three series per shard; a thousand is already more than a dashboard shows.
    public static let maxFlowMetricsKeys = 1000

    public func validate() throws(ShardConfigurationError) {
        let nodeID = cluster.nodeID
        guard !nodeID.isEmpty, !nodeID.contains(where: { $0 == "," || $0 == "=" }) else {
            throw ShardConfigurationError("--node must be a name such as n1")
        }
        let peers = cluster.peers
        if !peers.isEmpty, peers[nodeID] == nil {
            throw ShardConfigurationError("--peers must include this node (\(nodeID))")
        }
        if cluster.join, peers.count < 2 {
            throw ShardConfigurationError("--join needs --peers with this node and at least one node of the shard")
        }
        if !cluster.join, !peers.isEmpty, ![1, 3, 5].contains(peers.count) {
            throw ShardConfigurationError("--peers must list 1, 3 or 5 nodes")
        }
        guard (Duration.milliseconds(1) ... .milliseconds(1000)).contains(cluster.tick) else {
            throw ShardConfigurationError("--tick-ms must be between 1 and 1000")
        }
        guard cluster.snapshotEvery > 0 else { throw ShardConfigurationError("--snapshot-every must be positive") }
        guard dueWindow >= .milliseconds(10) else {
            throw ShardConfigurationError("--due-window must be at least 10ms")
        }
        guard dueWindowCapacity >= 1024 else {
            throw ShardConfigurationError("--due-window-capacity must be at least 1024")
        }
        guard queueSampleInterval >= .milliseconds(10) else {
            throw ShardConfigurationError("--queue-sample-interval must be at least 10ms")
        }
        guard (0...Self.maxFlowMetricsKeys).contains(flowMetricsKeys) else {
            throw ShardConfigurationError("--flow-metrics-keys must be between 0 and \(Self.maxFlowMetricsKeys)")
        }
        guard misfireThreshold >= .milliseconds(100) else {
            throw ShardConfigurationError("--misfire-threshold must be at least 100ms")
        }
        guard submitPolicy.maxBodyBytes > 0 else { throw ShardConfigurationError("--max-body-bytes must be positive") }
        guard idempotencyRetention >= .zero else {
            throw ShardConfigurationError("--idempotency-retention must not be negative")
        }
    }
}
