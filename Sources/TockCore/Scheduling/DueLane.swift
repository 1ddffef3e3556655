import TockModel

/// Which lane of the leader's publishing a due run waits in: its priority, and its flow key or — for a job of no
/// flow — its tenant. Lanes of one priority take turns (`FlowGate`), so one key's (or one tenant's) flood does not
/// hold up another's runs; a flow's limits hold back only its own lane.
public struct DueLane: Hashable, Sendable, CustomStringConvertible {
    public var priority: Priority
    public var tenant: String
    /// "" for a job of no flow.
    public var flowKey: String

    public init(priority: Priority = .normal, tenant: String = "", flowKey: String = "") {
        self.priority = priority
        self.tenant = tenant
        self.flowKey = flowKey
    }

    /// The flow whose limits apply, if any.
    public var flow: FlowID? { flowKey.isEmpty ? nil : FlowID(tenant: tenant, key: flowKey) }

    public var description: String {
        "\(priority.rawValue)/\(flow.map { "flow:\($0)" } ?? "tenant:\(tenant)")"
    }
}
