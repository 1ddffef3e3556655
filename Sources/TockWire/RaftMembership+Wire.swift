import TockModel
import TockProto
import TockRaft

extension Membership {
    /// The `tock.v1.RaftMembership` protobuf encoding. IDs are written sorted,
    /// so equal memberships encode to equal bytes.
    public func encoded() -> [UInt8] {
        ProtobufCCodec.encode(
            build: { proto(in: $0) },
            size: tock__v1__raft_membership__get_packed_size,
            pack: tock__v1__raft_membership__pack
        )
    }

    /// Decodes a `tock.v1.RaftMembership`. Repeated IDs collapse into the sets.
    public init(decoding bytes: [UInt8]) throws(WireError) {
        self = try ProtobufCCodec.decode(
            bytes,
            message: "RaftMembership",
            unpack: tock__v1__raft_membership__unpack,
            free: tock__v1__raft_membership__free_unpacked
        ) { (message) throws(WireError) in try Membership(proto: message) }
    }

    init(proto: UnsafePointer<Tock__V1__RaftMembership>) throws(WireError) {
        let message = proto.pointee
        let voters = try CReading.repeated(message.n_voters, message.voters, field: "RaftMembership.voters") {
            (voter) throws(WireError) in try CReading.string(voter, field: "RaftMembership.voters")
        }
        let learners = try CReading.repeated(
            message.n_learners, message.learners, field: "RaftMembership.learners"
        ) { (learner) throws(WireError) in try CReading.string(learner, field: "RaftMembership.learners") }
        self.init(voters: Set(voters), learners: Set(learners))
    }

    func proto(in arena: CArena) -> UnsafeMutablePointer<Tock__V1__RaftMembership> {
        arena.message(Tock__V1__RaftMembership.self) { message in
            tock__v1__raft_membership__init(message)
            message.pointee.n_voters = voters.count
            message.pointee.voters = arena.pointerArray(voters.sorted().map { arena.string($0) })
            message.pointee.n_learners = learners.count
            message.pointee.learners = arena.pointerArray(learners.sorted().map { arena.string($0) })
        }
    }
}
