import TockModel
import TockProto

extension WebhookFormat {
    /// A number added by a newer schema is refused: sending a body in the wrong shape would look like success to
    /// the executor while the receiver cannot read it.
    init(proto: Tock__V1__WebhookFormat, field: String) throws(WireError) {
        switch proto {
        case TOCK__V1__WEBHOOK_FORMAT__WEBHOOK_FORMAT_TOCK: self = .tock
        case TOCK__V1__WEBHOOK_FORMAT__WEBHOOK_FORMAT_SCHEDULED_DB: self = .scheduledDB
        default: throw .missingField(field)
        }
    }

    var proto: Tock__V1__WebhookFormat {
        switch self {
        case .tock: TOCK__V1__WEBHOOK_FORMAT__WEBHOOK_FORMAT_TOCK
        case .scheduledDB: TOCK__V1__WEBHOOK_FORMAT__WEBHOOK_FORMAT_SCHEDULED_DB
        }
    }
}
