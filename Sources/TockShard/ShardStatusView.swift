/// `GET /v1/status`: what `tock status` shows of a shard node — its Raft view and its jobs by state (this node's
/// copy of the job tables, not a linearizable read).
struct ShardStatusView: Encodable {
    var shard: UInt32
    var cluster: ClusterStatus
    var jobs: [String: Int]
}
