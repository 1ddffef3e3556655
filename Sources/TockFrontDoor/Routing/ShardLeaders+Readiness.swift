import AsyncHTTPClient
import TockCore

extension ShardLeaders {
    /// A router is ready when every shard has a node that answers its own `/readyz` with 200 (it knows a leader and
    /// reaches NATS): then every job call has somewhere to go. Nodes are asked at once, each within `timeout`.
    func readiness(timeout: Duration = .seconds(1)) async -> Readiness {
        let checks = await withTaskGroup(of: (UInt32, Readiness.Check).self) { group in
            for shard in 0..<UInt32(map.shardCount) {
                group.addTask { (shard, await self.probe(shard, timeout: timeout)) }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        return Readiness(checks.sorted { $0.0 < $1.0 }.map(\.1))
    }

    private func probe(_ shard: UInt32, timeout: Duration) async -> Readiness.Check {
        let answers = await withTaskGroup(of: (String, String?).self) { group in
            for node in map.nodes(of: shard) {
                group.addTask {
                    do {
                        let response = try await self.client.execute(
                            HTTPClientRequest(url: node.http.httpURL + "/readyz"),
                            timeout: .nanoseconds(timeout.nanoseconds))
                        return (node.name, response.status.code == 200 ? nil : "answered \(response.status.code)")
                    } catch {
                        return (node.name, "\(error)")
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        if let ready = answers.first(where: { $0.1 == nil }) {
            return .init("shard-\(shard)", ok: true, "\(ready.0) is ready")
        }
        let problems = answers.sorted { $0.0 < $1.0 }.map { "\($0.0): \($0.1 ?? "")" }.joined(separator: "; ")
        return .init("shard-\(shard)", ok: false, "no node ready (\(problems))")
    }
}
