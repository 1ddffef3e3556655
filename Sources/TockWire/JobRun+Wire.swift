import TockModel
import TockProto

extension JobRun {
    /// The `tock.v1.JobRun` protobuf encoding.
    ///
    /// Strings travel as C strings through protobuf-c: a string containing
    /// U+0000 is cut at its first NUL.
    public func encoded() -> [UInt8] {
        ProtobufCCodec.encode(
            build: { proto(in: $0) },
            size: tock__v1__job_run__get_packed_size,
            pack: tock__v1__job_run__pack
        )
    }

    /// Decodes a `tock.v1.JobRun`. A missing target, an unspecified/unknown
    /// priority or an unknown webhook format is `WireError.missingField`.
    public init(decoding bytes: [UInt8]) throws(WireError) {
        self = try ProtobufCCodec.decode(
            bytes,
            message: "JobRun",
            unpack: tock__v1__job_run__unpack,
            free: tock__v1__job_run__free_unpacked
        ) { (message) throws(WireError) in try JobRun(proto: message) }
    }

    init(proto: UnsafePointer<Tock__V1__JobRun>) throws(WireError) {
        let message = proto.pointee
        let destination = try Destination(
            proto: message.destination, nats: message.nats_target, message: "JobRun")
        self.init(
            jobID: try CReading.string(message.job_id, field: "JobRun.job_id"),
            run: message.run,
            shard: message.shard,
            priority: try Priority(proto: message.priority, field: "JobRun.priority"),
            target: try destination.target(message.target, message: "JobRun"),
            timeoutMs: message.timeout_ms,
            maxAttempts: message.max_attempts,
            idempotencyKey: try CReading.string(message.idempotency_key, field: "JobRun.idempotency_key"),
            dueAtNs: message.due_at_ns,
            publishedAtNs: message.published_at_ns,
            traceID: try CReading.string(message.trace_id, field: "JobRun.trace_id"),
            webhookFormat: try WebhookFormat(proto: message.webhook_format, field: "JobRun.webhook_format"),
            recurring: message.recurring != 0,
            destination: destination
        )
        flowKey = try CReading.string(message.flow_key, field: "JobRun.flow_key")
        attemptsBefore = message.attempts_before
    }

    func proto(in arena: CArena) -> UnsafeMutablePointer<Tock__V1__JobRun> {
        arena.message(Tock__V1__JobRun.self) { message in
            tock__v1__job_run__init(message)
            message.pointee.job_id = arena.string(jobID)
            message.pointee.run = run
            message.pointee.shard = shard
            message.pointee.priority = priority.proto
            message.pointee.target = destination == .webhook ? target.proto(in: arena) : nil
            message.pointee.destination = destination.proto
            message.pointee.nats_target = destination.natsProto(in: arena)
            message.pointee.timeout_ms = timeoutMs
            message.pointee.max_attempts = maxAttempts
            message.pointee.idempotency_key = arena.string(idempotencyKey)
            message.pointee.due_at_ns = dueAtNs
            message.pointee.published_at_ns = publishedAtNs
            message.pointee.trace_id = arena.string(traceID)
            message.pointee.webhook_format = webhookFormat.proto
            message.pointee.recurring = recurring ? 1 : 0
            message.pointee.flow_key = arena.string(flowKey)
            message.pointee.attempts_before = attemptsBefore
        }
    }
}
