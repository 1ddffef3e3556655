import Foundation
import TockAuth
import TockShard

/// The overview's shards: each other shard of the map as its leader (or the node that answered for it) reports its
/// Raft group, asked the way every cross-shard call is (`ShardLeaders`); this node's own shard as this node sees
/// it, leader or follower. An administrator's view, as `/v1/cluster` is.
enum UIShardsView {
    struct Row: Sendable {
        var shard: UInt32
        var status: ClusterStatus?
        var error: String?
    }

    static func rows(
        frontDoor: FrontDoor, local: (shard: UInt32, status: ClusterStatus)?, caller: Caller
    ) async -> [Row] {
        await withTaskGroup(of: Row.self) { group in
            for index in 0..<frontDoor.map.shardCount {
                let shard = UInt32(index)
                if let local, local.shard == shard {
                    group.addTask { Row(shard: shard, status: local.status) }
                    continue
                }
                group.addTask {
                    var call = ForwardedCall(method: .GET, target: "/v1/cluster", retrySafe: true)
                    call.authorization = caller.credential
                    switch await frontDoor.leaders.send(call, toShard: shard) {
                    case .failure(let failure):
                        return Row(shard: shard, error: failure.error.error.message)
                    case .success(let answer):
                        if let failure = answer.failure { return Row(shard: shard, error: failure.error.error.message) }
                        guard
                            let status = try? JSONDecoder().decode(ClusterStatus.self, from: Data(buffer: answer.body))
                        else { return Row(shard: shard, error: "its answer is not a cluster status") }
                        return Row(shard: shard, status: status)
                    }
                }
            }
            var rows: [Row] = []
            for await row in group { rows.append(row) }
            return rows.sorted { $0.shard < $1.shard }
        }
    }
}
