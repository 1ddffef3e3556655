import TockModel
import TockProto

extension Outcome {
    /// Zero and unknown numbers are refused: recording a guessed outcome would
    /// make a job look finished (or not) when nobody said so.
    init(proto: Tock__V1__Outcome, field: String) throws(WireError) {
        switch proto {
        case TOCK__V1__OUTCOME__OUTCOME_SUCCEEDED: self = .succeeded
        case TOCK__V1__OUTCOME__OUTCOME_FAILED: self = .failed
        case TOCK__V1__OUTCOME__OUTCOME_GAVE_UP: self = .gaveUp
        case TOCK__V1__OUTCOME__OUTCOME_RETRY: self = .retry
        default: throw .missingField(field)
        }
    }

    var proto: Tock__V1__Outcome {
        switch self {
        case .succeeded: TOCK__V1__OUTCOME__OUTCOME_SUCCEEDED
        case .failed: TOCK__V1__OUTCOME__OUTCOME_FAILED
        case .gaveUp: TOCK__V1__OUTCOME__OUTCOME_GAVE_UP
        case .retry: TOCK__V1__OUTCOME__OUTCOME_RETRY
        }
    }
}
