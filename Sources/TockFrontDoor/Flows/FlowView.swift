import TockCore
import TockModel
import TockShard

/// A flow as the API shows it (`GET /v1/flows/{key}`, one entry of `GET /v1/flows`).
public struct FlowView: Codable, Sendable, Equatable {
    public var key: String
    public var tenant: String
    public var shard: UInt32
    /// `50/s`; nil: no rate limit.
    public var rate: String?
    /// nil: no concurrency limit.
    public var concurrency: UInt32?
    /// When the limits were last set; nil for a key without limits.
    public var updated_at: String?
    /// Runs due and not yet published.
    public var due: Int
    /// Of those, runs the shard's leader holds back for the flow's limits or its turn.
    public var held_back: Int
    /// Runs published and not yet reported done.
    public var in_flight: Int

    init(_ status: FlowStatus, shard: UInt32) {
        key = status.flow.key
        tenant = status.flow.tenant
        self.shard = shard
        rate = status.limits?.rate?.description
        concurrency = status.limits?.concurrency
        updated_at = status.updatedAtNs.map { RFC3339.format(ns: $0) }
        due = status.due
        held_back = status.heldBack
        in_flight = status.inFlight
    }
}

extension FlowView {
    /// Most held back first, then most in flight, then by tenant and key: the order `tock status` and the
    /// dashboard show flows in.
    public static func busiestFirst(_ a: FlowView, _ b: FlowView) -> Bool {
        (b.held_back, b.in_flight, a.tenant, a.key) < (a.held_back, a.in_flight, b.tenant, b.key)
    }
}

/// `GET /v1/flows`: the caller's flows with limits or with runs held back or in flight, on every shard, in key
/// order.
public struct FlowList: Codable, Sendable, Equatable {
    public var flows: [FlowView]
}
