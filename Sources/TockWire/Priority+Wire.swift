import TockModel
import TockProto

extension Priority {
    /// `PRIORITY_UNSPECIFIED` and numbers added by a newer schema are refused:
    /// guessing a priority would route the run to the wrong consumer.
    init(proto: Tock__V1__Priority, field: String) throws(WireError) {
        switch proto {
        case TOCK__V1__PRIORITY__PRIORITY_CRITICAL: self = .critical
        case TOCK__V1__PRIORITY__PRIORITY_HIGH: self = .high
        case TOCK__V1__PRIORITY__PRIORITY_NORMAL: self = .normal
        case TOCK__V1__PRIORITY__PRIORITY_LOW: self = .low
        default: throw .missingField(field)
        }
    }

    var proto: Tock__V1__Priority {
        switch self {
        case .critical: TOCK__V1__PRIORITY__PRIORITY_CRITICAL
        case .high: TOCK__V1__PRIORITY__PRIORITY_HIGH
        case .normal: TOCK__V1__PRIORITY__PRIORITY_NORMAL
        case .low: TOCK__V1__PRIORITY__PRIORITY_LOW
        }
    }
}
