import TockModel
import TockProto

extension Completion {
    /// The `tock.v1.Completion` protobuf encoding.
    ///
    /// Strings travel as C strings through protobuf-c: a string containing
    /// U+0000 (possible in error text taken from a response) is cut at its first NUL.
    public func encoded() -> [UInt8] {
        ProtobufCCodec.encode(
            build: { proto(in: $0) },
            size: tock__v1__completion__get_packed_size,
            pack: tock__v1__completion__pack
        )
    }

    /// Decodes a `tock.v1.Completion`. An unspecified/unknown outcome is
    /// `WireError.missingField`.
    public init(decoding bytes: [UInt8]) throws(WireError) {
        self = try ProtobufCCodec.decode(
            bytes,
            message: "Completion",
            unpack: tock__v1__completion__unpack,
            free: tock__v1__completion__free_unpacked
        ) { (message) throws(WireError) in try Completion(proto: message) }
    }

    init(proto: UnsafePointer<Tock__V1__Completion>) throws(WireError) {
        let message = proto.pointee
        self.init(
            jobID: try CReading.string(message.job_id, field: "Completion.job_id"),
            run: message.run,
            shard: message.shard,
            outcome: try Outcome(proto: message.outcome, field: "Completion.outcome"),
            httpStatus: message.http_status,
            attempts: message.attempts,
            startedAtNs: message.started_at_ns,
            finishedAtNs: message.finished_at_ns,
            executorID: try CReading.string(message.executor_id, field: "Completion.executor_id"),
            error: try CReading.string(message.error, field: "Completion.error")
        )
        retryAtNs = message.retry_at_ns
    }

    func proto(in arena: CArena) -> UnsafeMutablePointer<Tock__V1__Completion> {
        arena.message(Tock__V1__Completion.self) { message in
            tock__v1__completion__init(message)
            message.pointee.job_id = arena.string(jobID)
            message.pointee.run = run
            message.pointee.shard = shard
            message.pointee.outcome = outcome.proto
            message.pointee.http_status = httpStatus
            message.pointee.attempts = attempts
            message.pointee.started_at_ns = startedAtNs
            message.pointee.finished_at_ns = finishedAtNs
            message.pointee.executor_id = arena.string(executorID)
            message.pointee.error = arena.string(error)
            message.pointee.retry_at_ns = retryAtNs
        }
    }
}
