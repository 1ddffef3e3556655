import TockModel
import TockProto

extension OutcomeEvent {
    /// The `tock.v1.OutcomeEvent` protobuf encoding, published to `TOCK_EVENTS`.
    ///
    /// Strings travel as C strings through protobuf-c: a string containing U+0000 is cut at its first NUL.
    public func encoded() -> [UInt8] {
        ProtobufCCodec.encode(
            build: { proto(in: $0) },
            size: tock__v1__outcome_event__get_packed_size,
            pack: tock__v1__outcome_event__pack
        )
    }

    /// Decodes a `tock.v1.OutcomeEvent`. An unspecified or unknown state or priority is `WireError.missingField`.
    public init(decoding bytes: [UInt8]) throws(WireError) {
        self = try ProtobufCCodec.decode(
            bytes,
            message: "OutcomeEvent",
            unpack: tock__v1__outcome_event__unpack,
            free: tock__v1__outcome_event__free_unpacked
        ) { (message) throws(WireError) in try OutcomeEvent(proto: message) }
    }

    init(proto: UnsafePointer<Tock__V1__OutcomeEvent>) throws(WireError) {
        let message = proto.pointee
        self.init(
            jobID: try CReading.string(message.job_id, field: "OutcomeEvent.job_id"),
            run: message.run,
            shard: message.shard,
            state: try State(proto: message.state, field: "OutcomeEvent.state"),
            attempts: message.attempts,
            lastHTTPStatus: message.last_http_status,
            error: try CReading.string(message.error, field: "OutcomeEvent.error"),
            finishedAtNs: message.finished_at_ns,
            tenant: try CReading.string(message.tenant, field: "OutcomeEvent.tenant"),
            priority: try Priority(proto: message.priority, field: "OutcomeEvent.priority"),
            idempotencyKey: try CReading.string(message.idempotency_key, field: "OutcomeEvent.idempotency_key"),
            callbackURL: try CReading.string(message.callback_url, field: "OutcomeEvent.callback_url"),
            failureCallbackURL: try CReading.string(
                message.failure_callback_url,
                field: "OutcomeEvent.failure_callback_url"),
            recurring: message.recurring != 0,
            maxAttempts: message.max_attempts,
            timeoutMs: message.timeout_ms
        )
    }

    func proto(in arena: CArena) -> UnsafeMutablePointer<Tock__V1__OutcomeEvent> {
        arena.message(Tock__V1__OutcomeEvent.self) { message in
            tock__v1__outcome_event__init(message)
            message.pointee.job_id = arena.string(jobID)
            message.pointee.run = run
            message.pointee.shard = shard
            message.pointee.state = state.proto
            message.pointee.attempts = attempts
            message.pointee.last_http_status = lastHTTPStatus
            message.pointee.error = arena.string(error)
            message.pointee.finished_at_ns = finishedAtNs
            message.pointee.tenant = arena.string(tenant)
            message.pointee.priority = priority.proto
            message.pointee.idempotency_key = arena.string(idempotencyKey)
            message.pointee.callback_url = arena.string(callbackURL)
            message.pointee.failure_callback_url = arena.string(failureCallbackURL)
            message.pointee.recurring = recurring ? 1 : 0
            message.pointee.max_attempts = maxAttempts
            message.pointee.timeout_ms = timeoutMs
        }
    }
}

extension OutcomeEvent.Key {
    init(proto: UnsafePointer<Tock__V1__OutcomeEventKey>) throws(WireError) {
        self.init(
            jobID: try CReading.string(proto.pointee.job_id, field: "OutcomeEventKey.job_id"),
            run: proto.pointee.run,
            state: try OutcomeEvent.State(proto: proto.pointee.state, field: "OutcomeEventKey.state"))
    }

    func proto(in arena: CArena) -> UnsafeMutablePointer<Tock__V1__OutcomeEventKey> {
        arena.message(Tock__V1__OutcomeEventKey.self) { message in
            tock__v1__outcome_event_key__init(message)
            message.pointee.job_id = arena.string(jobID)
            message.pointee.run = run
            message.pointee.state = state.proto
        }
    }
}

extension OutcomeEvent.State {
    /// Zero and unknown numbers are refused: an event must say what happened.
    init(proto: Tock__V1__OutcomeState, field: String) throws(WireError) {
        switch proto {
        case TOCK__V1__OUTCOME_STATE__OUTCOME_STATE_SUCCEEDED: self = .succeeded
        case TOCK__V1__OUTCOME_STATE__OUTCOME_STATE_FAILED: self = .failed
        case TOCK__V1__OUTCOME_STATE__OUTCOME_STATE_CANCELLED: self = .cancelled
        default: throw .missingField(field)
        }
    }

    var proto: Tock__V1__OutcomeState {
        switch self {
        case .succeeded: TOCK__V1__OUTCOME_STATE__OUTCOME_STATE_SUCCEEDED
        case .failed: TOCK__V1__OUTCOME_STATE__OUTCOME_STATE_FAILED
        case .cancelled: TOCK__V1__OUTCOME_STATE__OUTCOME_STATE_CANCELLED
        }
    }
}
