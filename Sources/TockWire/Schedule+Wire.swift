import TockModel
import TockProto

// Only ever travels inside a JobSpec.
extension Schedule {
    /// An overlap or misfire number added by a newer schema is refused rather than guessed.
    init(proto: UnsafePointer<Tock__V1__Schedule>) throws(WireError) {
        let message = proto.pointee
        let overlap: Overlap =
            switch message.overlap {
            case TOCK__V1__OVERLAP_POLICY__OVERLAP_POLICY_ALLOW: .allow
            case TOCK__V1__OVERLAP_POLICY__OVERLAP_POLICY_SKIP: .skip
            case TOCK__V1__OVERLAP_POLICY__OVERLAP_POLICY_WAIT: .wait
            default: throw .missingField("Schedule.overlap")
            }
        let misfire: Misfire =
            switch message.misfire {
            case TOCK__V1__MISFIRE_POLICY__MISFIRE_POLICY_RUN_ONCE: .runOnce
            case TOCK__V1__MISFIRE_POLICY__MISFIRE_POLICY_SKIP: .skip
            default: throw .missingField("Schedule.misfire")
            }
        self.init(
            cron: try CReading.string(message.cron, field: "Schedule.cron"),
            timeZone: try CReading.string(message.time_zone, field: "Schedule.time_zone"),
            startAtNs: message.start_at_ns == 0 ? nil : message.start_at_ns,
            endAtNs: message.end_at_ns == 0 ? nil : message.end_at_ns,
            overlap: overlap, misfire: misfire)
    }

    func proto(in arena: CArena) -> UnsafeMutablePointer<Tock__V1__Schedule> {
        arena.message(Tock__V1__Schedule.self) { message in
            tock__v1__schedule__init(message)
            message.pointee.cron = arena.string(cron)
            message.pointee.time_zone = arena.string(timeZone)
            message.pointee.start_at_ns = startAtNs ?? 0
            message.pointee.end_at_ns = endAtNs ?? 0
            message.pointee.overlap =
                switch overlap {
                case .allow: TOCK__V1__OVERLAP_POLICY__OVERLAP_POLICY_ALLOW
                case .skip: TOCK__V1__OVERLAP_POLICY__OVERLAP_POLICY_SKIP
                case .wait: TOCK__V1__OVERLAP_POLICY__OVERLAP_POLICY_WAIT
                }
            message.pointee.misfire =
                switch misfire {
                case .runOnce: TOCK__V1__MISFIRE_POLICY__MISFIRE_POLICY_RUN_ONCE
                case .skip: TOCK__V1__MISFIRE_POLICY__MISFIRE_POLICY_SKIP
                }
        }
    }
}
