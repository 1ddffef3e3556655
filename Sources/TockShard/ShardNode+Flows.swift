import TockCore
import TockModel

/// A flow as `GET /v1/flows` shows it: its limits as stored, and what its shard's leader sees of it now.
public struct FlowStatus: Sendable, Equatable {
    public var flow: FlowID
    /// nil: the key has no limits (its runs only take turns with other keys').
    public var limits: FlowLimits?
    public var updatedAtNs: Int64?
    /// Runs due and not yet published (held back included).
    public var due: Int
    /// Runs due and waiting in the leader's memory for the flow's limits or their turn.
    public var heldBack: Int
    /// Runs published and not yet reported done.
    public var inFlight: Int
}

extension ShardNode {
    /// The most flows one `flows` call lists.
    public static let maxFlowsListed = 1000

    /// The flows of `tenant` (nil: every tenant's) after `after` that have stored limits, or runs the leader
    /// holds back or has out, with what the leader sees of them, in key order, read linearizably.
    public func flows(tenant: String?, after: FlowID? = nil, limit: Int = maxFlowsListed) async throws
        -> [FlowStatus]
    {
        try await log.readBarrier()
        let limit = max(1, min(limit, Self.maxFlowsListed))
        let (records, inFlight) = try await database.read {
            (try FlowRows.list(tenant: tenant, after: after, limit: limit, in: $0), try FlowRuns.inFlight(in: $0))
        }
        let gate = await duties.flows() ?? []
        let active = gate.filter { $0.heldBack > 0 || ($0.open ?? 0) > 0 }.map(\.flow) + inFlight.keys
        var listed = records.map { ($0.flow, Optional($0)) }
        var seen = Set(records.map(\.flow))
        for flow in active where !seen.contains(flow) && Self.listing(flow, tenant: tenant, after: after) {
            seen.insert(flow)
            listed.append((flow, nil))
        }
        listed.sort { $0.0 < $1.0 }
        return try await statuses(Array(listed.prefix(limit)))
    }

    /// Whether a list of `tenant`'s flows after `after` (as `FlowRows.list` pages) takes `flow`.
    private static func listing(_ flow: FlowID, tenant: String?, after: FlowID?) -> Bool {
        guard let tenant else { return after.map { $0 < flow } ?? true }
        return flow.tenant == tenant && (after.map { $0.tenant != tenant || $0.key < flow.key } ?? true)
    }

    /// One flow: its stored limits (nil when it has none) and its figures; nil when the key has neither limits
    /// nor runs waiting, due or in flight.
    public func flow(_ flow: FlowID) async throws -> FlowStatus? {
        try await log.readBarrier()
        let record = try await database.read { try FlowRows.find(flow, in: $0) }
        guard let status = try await statuses([(flow, record)]).first else { return nil }
        guard record != nil || status.due + status.heldBack + status.inFlight > 0 else { return nil }
        return status
    }

    /// Sets a flow key's limits (`.flow` with the stored record, or `.rejected`).
    public func setFlow(_ flow: FlowID, _ limits: FlowLimits) async throws -> ApplyResult {
        try await log.propose(.setFlow(flow, limits, atNs: clock.nowNs()))
    }

    /// Forgets a flow key's limits (`.updated(1)`, or `.notFound` when it had none).
    public func deleteFlow(_ flow: FlowID) async throws -> ApplyResult {
        try await log.propose(.deleteFlow(flow, atNs: clock.nowNs()))
    }

    /// The flows the leader's due-timer holds runs of or counts open runs for, when this node leads.
    public func activeFlows() async -> [FlowGateView] { await duties.flows() ?? [] }

    private func statuses(_ flows: [(FlowID, FlowRecord?)]) async throws -> [FlowStatus] {
        let ids = flows.map(\.0)
        let now = clock.nowNs()
        let counts = try await database.read { try FlowRuns.counts(ids, nowNs: now, in: $0) }
        let held = Dictionary(
            (await duties.flows() ?? []).map { ($0.flow, $0.heldBack) }, uniquingKeysWith: +)
        return flows.map { flow, record in
            FlowStatus(
                flow: flow, limits: record?.limits, updatedAtNs: record?.updatedAtNs,
                due: counts[flow]?.due ?? 0, heldBack: held[flow] ?? 0, inFlight: counts[flow]?.open ?? 0)
        }
    }
}
