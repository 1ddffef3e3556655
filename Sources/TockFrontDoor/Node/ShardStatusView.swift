import TockShard

/// `GET /v1/status`: what `tock status` shows of a shard node — its Raft view, its jobs by state and the runs due
/// but not yet published (this node's copy of the job tables, not a linearizable read).
struct ShardStatusView: Encodable {
    var shard: UInt32
    var cluster: ClusterStatus
    var jobs: [String: Int]
    var dueUnpublished: Int

    enum CodingKeys: String, CodingKey {
        case shard, cluster, jobs
        case dueUnpublished = "due_unpublished"
    }
}
