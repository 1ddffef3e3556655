import TockModel
import TockProto

extension Destination {
    /// A number added by a newer schema is refused, as for `WebhookFormat`: doing something other than what the
    /// job asked for would look like success. `message` names the JobSpec or JobRun in errors.
    init(
        proto: Tock__V1__Destination, nats: UnsafeMutablePointer<Tock__V1__NatsTarget>?, message: String
    ) throws(WireError) {
        switch proto {
        case TOCK__V1__DESTINATION__DESTINATION_WEBHOOK: self = .webhook
        case TOCK__V1__DESTINATION__DESTINATION_NATS:
            self = .nats(
                try CReading.required(nats, field: "\(message).nats_target") { (target) throws(WireError) in
                    try NATSTarget(proto: target)
                })
        case TOCK__V1__DESTINATION__DESTINATION_TIMER: self = .timer
        default: throw .missingField("\(message).destination")
        }
    }

    var proto: Tock__V1__Destination {
        switch self {
        case .webhook: TOCK__V1__DESTINATION__DESTINATION_WEBHOOK
        case .nats: TOCK__V1__DESTINATION__DESTINATION_NATS
        case .timer: TOCK__V1__DESTINATION__DESTINATION_TIMER
        }
    }

    func natsProto(in arena: CArena) -> UnsafeMutablePointer<Tock__V1__NatsTarget>? {
        guard case .nats(let target) = self else { return nil }
        return target.proto(in: arena)
    }

    /// The webhook target a message carries: required for a webhook, empty (and ignored if sent) otherwise.
    func target(_ pointer: UnsafeMutablePointer<Tock__V1__HttpTarget>?, message: String) throws(WireError)
        -> HTTPTarget
    {
        guard self == .webhook else { return .empty }
        return try CReading.required(pointer, field: "\(message).target") { (target) throws(WireError) in
            try HTTPTarget(proto: target)
        }
    }
}

extension NATSTarget {
    init(proto: UnsafePointer<Tock__V1__NatsTarget>) throws(WireError) {
        let message = proto.pointee
        self.init(
            subject: try CReading.string(message.subject, field: "NatsTarget.subject"),
            headers: try CReading.repeated(message.n_headers, message.headers, field: "NatsTarget.headers") {
                (header) throws(WireError) in try Header(proto: header)
            },
            body: CReading.bytes(message.body)
        )
    }

    func proto(in arena: CArena) -> UnsafeMutablePointer<Tock__V1__NatsTarget> {
        arena.message(Tock__V1__NatsTarget.self) { message in
            tock__v1__nats_target__init(message)
            message.pointee.subject = arena.string(subject)
            message.pointee.n_headers = headers.count
            message.pointee.headers = arena.pointerArray(headers.map { $0.proto(in: arena) })
            message.pointee.body = arena.bytes(body)
        }
    }
}
