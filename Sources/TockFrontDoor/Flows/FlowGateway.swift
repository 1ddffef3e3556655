import Foundation
import NIOHTTP1
import TockAuth
import TockCore
import TockModel
import TockShard

/// The flow API on any node or router: a flow key's shard is its hash's (`ShardMap.shard(forFlowKey:)`, where its
/// jobs go too), and there its leader serves the call — here when this node is that leader or the call was
/// forwarded to this node's shard, through the one forwarding path (`ShardLeaders`) otherwise. A flow is the
/// caller's tenant's.
struct FlowGateway: Sendable {
    let map: ShardMap
    let local: LocalShardJobs?
    let leaders: ShardLeaders

    typealias Reply<Value> = Result<Value, JobFailure>

    /// `served`: the call names this node's shard (forwarded); it is answered here whatever the key.
    func list(as caller: Caller, served: Bool) async -> Reply<FlowList> {
        if served { return await listHere(as: caller) }
        let parts = await withTaskGroup(of: Reply<FlowList>.self) { group in
            for shard in 0..<UInt32(map.shardCount) {
                group.addTask {
                    await self.call(.GET, "/v1/flows", shard: shard, as: caller) { _ in await self.listHere(as: caller)
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        var flows: [FlowView] = []
        for part in parts {
            switch part {
            case .success(let list): flows += list.flows
            case .failure(let failure): return .failure(failure)
            }
        }
        return .success(FlowList(flows: flows.sorted { ($0.tenant, $0.key) < ($1.tenant, $1.key) }))
    }

    func flow(_ key: String, as caller: Caller, served: Bool) async -> Reply<FlowView> {
        if let failure = Self.badKey(key) { return .failure(failure) }
        return await call(.GET, Self.path(key), shard: map.shard(forFlowKey: key), served: served, as: caller) {
            local in
            guard let status = try await local.node.flow(FlowID(tenant: caller.tenant, key: key)) else {
                return .failure(Self.notFound(key))
            }
            return .success(FlowView(status, shard: local.shard))
        }
    }

    func setFlow(_ key: String, _ limits: FlowLimits, as caller: Caller, served: Bool) async -> Reply<FlowView> {
        if let failure = Self.badKey(key) { return .failure(failure) }
        var body: [String: Any] = [:]
        if let rate = limits.rate { body["rate"] = rate.description }
        if let concurrency = limits.concurrency { body["concurrency"] = concurrency }
        let bytes = Array(
            (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data("{}".utf8))
        return await call(
            .PUT, Self.path(key), body: bytes, shard: map.shard(forFlowKey: key), served: served, as: caller
        ) { local in
            let flow = FlowID(tenant: caller.tenant, key: key)
            switch try await local.node.setFlow(flow, limits) {
            case .flow:
                guard let status = try await local.node.flow(flow) else { return .failure(Self.notFound(key)) }
                return .success(FlowView(status, shard: local.shard))
            case .rejected(let problem): return .failure(JobFailure(status: 400, error: ErrorView(problem)))
            case let other: return .failure(LocalShardJobs.unexpected(other))
            }
        }
    }

    func deleteFlow(_ key: String, as caller: Caller, served: Bool) async -> Reply<FlowDeleted> {
        if let failure = Self.badKey(key) { return .failure(failure) }
        return await call(.DELETE, Self.path(key), shard: map.shard(forFlowKey: key), served: served, as: caller) {
            local in
            switch try await local.node.deleteFlow(FlowID(tenant: caller.tenant, key: key)) {
            case .updated: return .success(FlowDeleted(key: key, deleted: true))
            case .notFound: return .failure(Self.notFound(key))
            case let other: return .failure(LocalShardJobs.unexpected(other))
            }
        }
    }

    private func listHere(as caller: Caller) async -> Reply<FlowList> {
        guard let local else {
            return .failure(JobFailure(status: 400, code: "wrong_shard", message: "this node has no shard"))
        }
        do {
            guard local.node.isLeader else { throw RaftDriverError.notLeader(leader: local.node.cluster.leader) }
            let statuses = try await local.node.flows(tenant: caller.allows(.admin) ? nil : caller.tenant)
            return .success(FlowList(flows: statuses.map { FlowView($0, shard: local.shard) }))
        } catch {
            return .failure(local.failure(error))
        }
    }

    /// Serves the call here when this node leads `shard` (or the call was forwarded to it), else forwards it.
    private func call<Value: Decodable & Sendable>(
        _ method: HTTPMethod, _ target: String, body: [UInt8]? = nil, shard: UInt32, served: Bool = false,
        as caller: Caller, here: @Sendable (LocalShardJobs) async throws -> Reply<Value>
    ) async -> Reply<Value> {
        if let local, served || local.shard == shard {
            if !served, local.node.cluster.leader == nil { _ = await local.node.waitForLeader(timeout: .seconds(3)) }
            if served || local.node.isLeader {
                do {
                    guard local.node.isLeader else {
                        throw RaftDriverError.notLeader(leader: local.node.cluster.leader)
                    }
                    let reply = try await here(local)
                    if served || reply.failureCode != "not_leader" { return reply }
                } catch {
                    let failure = local.failure(error)
                    if served || failure.error.error.code != "not_leader" { return .failure(failure) }
                }
            }
        }
        if served { return .failure(JobFailure(status: 400, code: "wrong_shard", message: "not this node's shard")) }
        var forwarded = ForwardedCall(
            method: method, target: target, body: body, contentType: body == nil ? nil : "application/json",
            retrySafe: method != .POST)
        forwarded.authorization = caller.credential
        return switch await leaders.send(forwarded, toShard: shard) {
        case .success(let answer): answer.decode(Value.self)
        case .failure(let failure): .failure(failure)
        }
    }

    private static func path(_ key: String) -> String { "/v1/flows/\(key)" }

    static func badKey(_ key: String) -> JobFailure? {
        FlowRules.problem(withKey: key).map {
            JobFailure(status: 400, code: "invalid_field", field: "key", message: "key \($0)")
        }
    }

    static func notFound(_ key: String) -> JobFailure {
        JobFailure(
            status: 404, code: "not_found", field: "key", message: "no flow \(key) (it has no limits and no runs)")
    }
}

/// `DELETE /v1/flows/{key}`.
public struct FlowDeleted: Codable, Sendable, Equatable {
    public var key: String
    public var deleted: Bool
}

extension Result where Failure == JobFailure {
    fileprivate var failureCode: String? {
        if case .failure(let failure) = self { failure.error.error.code } else { nil }
    }
}
