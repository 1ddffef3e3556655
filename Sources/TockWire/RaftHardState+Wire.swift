import TockModel
import TockProto
import TockRaft

extension HardState {
    /// The `tock.v1.RaftHardState` protobuf encoding, as stored by the Raft log.
    ///
    /// No vote travels as "": a vote for the empty node ID (never a valid ID)
    /// would decode as no vote.
    public func encoded() -> [UInt8] {
        ProtobufCCodec.encode(
            build: { proto(in: $0) },
            size: tock__v1__raft_hard_state__get_packed_size,
            pack: tock__v1__raft_hard_state__pack
        )
    }

    /// Decodes a `tock.v1.RaftHardState`; "" as the vote is `vote == nil`.
    public init(decoding bytes: [UInt8]) throws(WireError) {
        self = try ProtobufCCodec.decode(
            bytes,
            message: "RaftHardState",
            unpack: tock__v1__raft_hard_state__unpack,
            free: tock__v1__raft_hard_state__free_unpacked
        ) { (message) throws(WireError) in try HardState(proto: message) }
    }

    init(proto: UnsafePointer<Tock__V1__RaftHardState>) throws(WireError) {
        let message = proto.pointee
        let vote = try CReading.string(message.vote, field: "RaftHardState.vote")
        self.init(term: message.term, vote: vote.isEmpty ? nil : vote, commit: message.commit)
    }

    func proto(in arena: CArena) -> UnsafeMutablePointer<Tock__V1__RaftHardState> {
        arena.message(Tock__V1__RaftHardState.self) { message in
            tock__v1__raft_hard_state__init(message)
            message.pointee.term = term
            message.pointee.vote = arena.string(vote ?? "")
            message.pointee.commit = commit
        }
    }
}
