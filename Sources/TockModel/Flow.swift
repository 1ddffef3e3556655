/// A job's flow: the key whose limits pace its runs across the whole executor fleet, and, when the job gives them,
/// the limits that key has from now on (for every pending run of the key, not only this job's).
public struct Flow: Equatable, Sendable {
    public var key: String
    /// nil: the job names the key and leaves its limits as they are.
    public var limits: FlowLimits?

    public init(key: String, limits: FlowLimits? = nil) {
        self.key = key
        self.limits = limits
    }
}

/// What a flow key allows. A limit that is nil does not hold back anything.
public struct FlowLimits: Equatable, Sendable {
    public var rate: FlowRate?
    /// Most runs of the key published and not yet completed, fleet-wide.
    public var concurrency: UInt32?

    public init(rate: FlowRate? = nil, concurrency: UInt32? = nil) {
        self.rate = rate
        self.concurrency = concurrency
    }

    public static let unlimited = FlowLimits()
}

/// At most `count` runs per `periodNs`, paced evenly (see `FlowPacer`).
public struct FlowRate: Equatable, Sendable, CustomStringConvertible {
    public var count: UInt32
    public var periodNs: Int64

    public init(count: UInt32, periodNs: Int64) {
        self.count = count
        self.periodNs = periodNs
    }

    public static let second: Int64 = 1_000_000_000
    public static let minute: Int64 = 60 * second
    public static let hour: Int64 = 60 * minute

    /// `50/s`, `10/m`, `3/h`: the form the API takes and shows.
    public var description: String {
        let unit =
            switch periodNs {
            case Self.second: "s"
            case Self.minute: "m"
            case Self.hour: "h"
            default: "\(periodNs)ns"
            }
        return "\(count)/\(unit)"
    }
}

/// A flow is its tenant's: two tenants naming the same key have two flows.
public struct FlowID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var tenant: String
    public var key: String

    public init(tenant: String, key: String) {
        self.tenant = tenant
        self.key = key
    }

    public static func < (a: FlowID, b: FlowID) -> Bool { (a.tenant, a.key) < (b.tenant, b.key) }

    public var description: String { tenant.isEmpty ? key : "\(tenant)/\(key)" }
}
