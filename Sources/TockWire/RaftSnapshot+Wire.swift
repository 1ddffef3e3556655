import TockModel
import TockProto
import TockRaft

extension Snapshot {
    /// The `tock.v1.RaftSnapshot` protobuf encoding.
    public func encoded() -> [UInt8] {
        ProtobufCCodec.encode(
            build: { proto(in: $0) },
            size: tock__v1__raft_snapshot__get_packed_size,
            pack: tock__v1__raft_snapshot__pack
        )
    }

    /// Decodes a `tock.v1.RaftSnapshot`. A missing membership is
    /// `WireError.missingField("RaftSnapshot.membership")`.
    public init(decoding bytes: [UInt8]) throws(WireError) {
        self = try ProtobufCCodec.decode(
            bytes,
            message: "RaftSnapshot",
            unpack: tock__v1__raft_snapshot__unpack,
            free: tock__v1__raft_snapshot__free_unpacked
        ) { (message) throws(WireError) in try Snapshot(proto: message) }
    }

    init(proto: UnsafePointer<Tock__V1__RaftSnapshot>) throws(WireError) {
        let message = proto.pointee
        self.init(
            index: message.index,
            term: message.term,
            membership: try CReading.required(message.membership, field: "RaftSnapshot.membership") {
                (membership) throws(WireError) in try Membership(proto: membership)
            }
        )
    }

    func proto(in arena: CArena) -> UnsafeMutablePointer<Tock__V1__RaftSnapshot> {
        arena.message(Tock__V1__RaftSnapshot.self) { message in
            tock__v1__raft_snapshot__init(message)
            message.pointee.index = index
            message.pointee.term = term
            // Always non-nil, so even an empty membership is written and
            // decodes as present.
            message.pointee.membership = membership.proto(in: arena)
        }
    }
}
