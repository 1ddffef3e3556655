import TockModel
import TockProto

extension FlowLimits {
    /// 0 in a field is "no such limit"; a rate needs both its count and its period.
    init(proto: UnsafePointer<Tock__V1__FlowLimits>) {
        let message = proto.pointee
        self.init(
            rate: message.rate_count > 0 && message.rate_period_ns > 0
                ? FlowRate(count: message.rate_count, periodNs: message.rate_period_ns) : nil,
            concurrency: message.concurrency > 0 ? message.concurrency : nil)
    }

    func proto(in arena: CArena) -> UnsafeMutablePointer<Tock__V1__FlowLimits> {
        arena.message(Tock__V1__FlowLimits.self) { message in
            tock__v1__flow_limits__init(message)
            message.pointee.rate_count = rate?.count ?? 0
            message.pointee.rate_period_ns = rate?.periodNs ?? 0
            message.pointee.concurrency = concurrency ?? 0
        }
    }
}

extension Flow {
    /// nil for an absent message or an empty key: the job belongs to no flow.
    static func decode(_ proto: UnsafeMutablePointer<Tock__V1__Flow>?) throws(WireError) -> Flow? {
        guard let proto else { return nil }
        let key = try CReading.string(proto.pointee.key, field: "Flow.key")
        guard !key.isEmpty else { return nil }
        return Flow(key: key, limits: proto.pointee.limits.map { FlowLimits(proto: $0) })
    }

    func proto(in arena: CArena) -> UnsafeMutablePointer<Tock__V1__Flow> {
        arena.message(Tock__V1__Flow.self) { message in
            tock__v1__flow__init(message)
            message.pointee.key = arena.string(key)
            message.pointee.limits = limits?.proto(in: arena)
        }
    }
}
