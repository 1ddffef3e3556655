/// scheduled-db's `GET /health`: `{"status": "ok", "role": "leader", "node_id": "node-1"}`; a follower also says
/// `"leader": "<address>"`.
///
/// A Tock node always answers as a leader: any node accepts every call and routes it to the owning shard's leader
/// itself, so a client that sends writes only to a node saying `leader` may pick any of them.
public struct ScheduledDBHealthView: Codable, Sendable, Equatable {
    public var status: String
    public var role: String
    public var node_id: String

    public init(nodeID: String) {
        status = "ok"
        role = "leader"
        node_id = nodeID
    }
}
