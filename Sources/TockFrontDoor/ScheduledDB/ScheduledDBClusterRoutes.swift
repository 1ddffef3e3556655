import Foundation
import Hummingbird
import NIOCore
import TockCore
import TockShard

/// scheduled-db's cluster endpoints on a shard node, over the node's own Raft group: `GET /debug/cluster`
/// (`ScheduledDBClusterView`) and `POST /join` (`ScheduledDBJoinRequest`), which adds a node as
/// `POST /v1/cluster/nodes` does. Both need the `admin` scope when API keys are configured, as the rest of the
/// cluster API does (`RouteAccess`). A router has no Raft group and serves neither.
public enum ScheduledDBClusterRoutes {
    public static func register(on router: Router<TockRequestContext>, node: ShardNode) {
        // This node's own view, as scheduled-db's is: never forwarded to the leader.
        router.get("/debug/cluster") { _, _ in
            let jobCount: Int
            do {
                jobCount = try await node.jobCounts().values.reduce(0, +)
            } catch {
                var response = ScheduledDBRoutes.json(
                    .serviceUnavailable, ScheduledDBErrorView("Unable to count jobs: \(error)"))
                response.headers[.retryAfter] = "1"
                return response
            }
            return ScheduledDBRoutes.json(
                .ok, ScheduledDBClusterView(node.cluster, jobCount: jobCount, raftAddress: node.raftAddress(of:)))
        }

        // A follower sends this on to the leader (`LeaderForwarding`), so it runs on the leader.
        router.post("/join") { request, _ in
            let join: ScheduledDBJoinRequest
            do {
                join = try ScheduledDBJoinRequest.parse(try await ShardHTTPAPI.smallBody(request))
            } catch let error as ScheduledDBErrorView {
                return ScheduledDBRoutes.json(.badRequest, error)
            } catch {
                return ScheduledDBRoutes.json(.badRequest, ScheduledDBErrorView("Invalid request body"))
            }
            // scheduled-db answers a join it already made with success; its nodes ask again whenever they start.
            if !(node.cluster.voters.contains(join.node) && node.raftAddress(of: join.node) == join.raft) {
                do {
                    _ = try await node.addNode(
                        join.node, raft: join.raft, http: join.httpAddress(guessedFrom: node.configuration.httpAddress))
                } catch RaftDriverError.membershipChangeRefused(let reason) {
                    return joinFailure(JobFailure(status: 409, code: "conflict", message: reason))
                } catch {
                    return joinFailure(LocalShardJobs(node: node).failure(error))
                }
            }
            return ScheduledDBRoutes.json(
                .ok, ScheduledDBJoinView(success: true, message: "Node \(join.node) successfully joined cluster"))
        }
    }

    /// scheduled-db's "Failed to join cluster", with Tock's status and reason; a 503 keeps its `Retry-After`.
    static func joinFailure(_ failure: JobFailure) -> Response {
        var response = ScheduledDBRoutes.json(
            HTTPResponse.Status(code: failure.status),
            ScheduledDBErrorView("Failed to join cluster: \(failure.error.error.message)"))
        if let seconds = failure.retryAfterSeconds { response.headers[.retryAfter] = "\(seconds)" }
        return response
    }
}
