import TockModel
import TockProto

extension JobSpec {
    /// The `tock.v1.JobSpec` protobuf encoding (also what a protobuf submit carries).
    ///
    /// Strings travel as C strings through protobuf-c: a string containing
    /// U+0000 is cut at its first NUL.
    public func encoded() -> [UInt8] {
        ProtobufCCodec.encode(
            build: { proto(in: $0) },
            size: tock__v1__job_spec__get_packed_size,
            pack: tock__v1__job_spec__pack
        )
    }

    /// Decodes a `tock.v1.JobSpec`. A missing target, an unspecified/unknown
    /// priority or an unknown webhook format is `WireError.missingField`.
    public init(decoding bytes: [UInt8]) throws(WireError) {
        self = try ProtobufCCodec.decode(
            bytes,
            message: "JobSpec",
            unpack: tock__v1__job_spec__unpack,
            free: tock__v1__job_spec__free_unpacked
        ) { (message) throws(WireError) in try JobSpec(proto: message) }
    }

    init(proto: UnsafePointer<Tock__V1__JobSpec>) throws(WireError) {
        let message = proto.pointee
        let destination = try Destination(
            proto: message.destination, nats: message.nats_target, message: "JobSpec")
        self.init(
            id: try CReading.string(message.id, field: "JobSpec.id"),
            priority: try Priority(proto: message.priority, field: "JobSpec.priority"),
            target: try destination.target(message.target, message: "JobSpec"),
            timeoutMs: message.timeout_ms,
            maxAttempts: message.max_attempts,
            idempotencyKey: try CReading.string(message.idempotency_key, field: "JobSpec.idempotency_key"),
            dueAtNs: message.due_at_ns,
            webhookFormat: try WebhookFormat(proto: message.webhook_format, field: "JobSpec.webhook_format"),
            schedule: try message.schedule.map { (schedule) throws(WireError) in try Schedule(proto: schedule) },
            tenant: try CReading.string(message.tenant, field: "JobSpec.tenant"),
            callbackURL: try CReading.string(message.callback_url, field: "JobSpec.callback_url"),
            failureCallbackURL: try CReading.string(
                message.failure_callback_url, field: "JobSpec.failure_callback_url"),
            destination: destination,
            flow: try Flow.decode(message.flow)
        )
    }

    func proto(in arena: CArena) -> UnsafeMutablePointer<Tock__V1__JobSpec> {
        arena.message(Tock__V1__JobSpec.self) { message in
            tock__v1__job_spec__init(message)
            message.pointee.id = arena.string(id)
            message.pointee.priority = priority.proto
            message.pointee.target = destination == .webhook ? target.proto(in: arena) : nil
            message.pointee.destination = destination.proto
            message.pointee.nats_target = destination.natsProto(in: arena)
            message.pointee.timeout_ms = timeoutMs
            message.pointee.max_attempts = maxAttempts
            message.pointee.idempotency_key = arena.string(idempotencyKey)
            message.pointee.due_at_ns = dueAtNs
            message.pointee.webhook_format = webhookFormat.proto
            message.pointee.schedule = schedule?.proto(in: arena)
            message.pointee.tenant = arena.string(tenant)
            message.pointee.callback_url = arena.string(callbackURL)
            message.pointee.failure_callback_url = arena.string(failureCallbackURL)
            message.pointee.flow = flow?.proto(in: arena)
        }
    }
}
