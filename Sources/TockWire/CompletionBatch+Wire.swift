import TockModel
import TockProto

extension CompletionBatch {
    /// The `tock.v1.CompletionBatch` protobuf encoding.
    public func encoded() -> [UInt8] {
        ProtobufCCodec.encode(
            build: { proto(in: $0) },
            size: tock__v1__completion_batch__get_packed_size,
            pack: tock__v1__completion_batch__pack
        )
    }

    /// Decodes a `tock.v1.CompletionBatch`; each completion as `Completion(decoding:)` would.
    public init(decoding bytes: [UInt8]) throws(WireError) {
        self = try ProtobufCCodec.decode(
            bytes,
            message: "CompletionBatch",
            unpack: tock__v1__completion_batch__unpack,
            free: tock__v1__completion_batch__free_unpacked
        ) { (message) throws(WireError) in
            CompletionBatch(
                completions: try CReading.repeated(
                    message.pointee.n_completions, message.pointee.completions,
                    field: "CompletionBatch.completions"
                ) {
                    (completion) throws(WireError) in try Completion(proto: completion)
                })
        }
    }

    func proto(in arena: CArena) -> UnsafeMutablePointer<Tock__V1__CompletionBatch> {
        arena.message(Tock__V1__CompletionBatch.self) { message in
            tock__v1__completion_batch__init(message)
            message.pointee.n_completions = completions.count
            message.pointee.completions = arena.pointerArray(completions.map { $0.proto(in: arena) })
        }
    }
}
