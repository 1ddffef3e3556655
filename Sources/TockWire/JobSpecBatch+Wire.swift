import TockModel
import TockProto

extension JobSpecBatch {
    /// The `tock.v1.JobSpecBatch` protobuf encoding.
    public func encoded() -> [UInt8] {
        ProtobufCCodec.encode(
            build: { proto(in: $0) },
            size: tock__v1__job_spec_batch__get_packed_size,
            pack: tock__v1__job_spec_batch__pack
        )
    }

    /// Decodes a `tock.v1.JobSpecBatch`; each job as `JobSpec(decoding:)` would.
    public init(decoding bytes: [UInt8]) throws(WireError) {
        self = try ProtobufCCodec.decode(
            bytes,
            message: "JobSpecBatch",
            unpack: tock__v1__job_spec_batch__unpack,
            free: tock__v1__job_spec_batch__free_unpacked
        ) { (message) throws(WireError) in
            JobSpecBatch(
                jobs: try CReading.repeated(
                    message.pointee.n_jobs, message.pointee.jobs,
                    field: "JobSpecBatch.jobs"
                ) {
                    (spec) throws(WireError) in try JobSpec(proto: spec)
                })
        }
    }

    func proto(in arena: CArena) -> UnsafeMutablePointer<Tock__V1__JobSpecBatch> {
        arena.message(Tock__V1__JobSpecBatch.self) { message in
            tock__v1__job_spec_batch__init(message)
            message.pointee.n_jobs = jobs.count
            message.pointee.jobs = arena.pointerArray(jobs.map { $0.proto(in: arena) })
        }
    }
}
