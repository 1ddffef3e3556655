import TockModel
import TockProto
import TockRaft

extension Entry {
    /// The `tock.v1.RaftEntry` protobuf encoding, as stored by the Raft log.
    public func encoded() -> [UInt8] {
        ProtobufCCodec.encode(
            build: { proto(in: $0) },
            size: tock__v1__raft_entry__get_packed_size,
            pack: tock__v1__raft_entry__pack
        )
    }

    /// Decodes a `tock.v1.RaftEntry`. An unspecified/unknown kind is
    /// `WireError.missingField("RaftEntry.kind")`.
    public init(decoding bytes: [UInt8]) throws(WireError) {
        self = try ProtobufCCodec.decode(
            bytes,
            message: "RaftEntry",
            unpack: tock__v1__raft_entry__unpack,
            free: tock__v1__raft_entry__free_unpacked
        ) { (message) throws(WireError) in try Entry(proto: message) }
    }

    init(proto: UnsafePointer<Tock__V1__RaftEntry>) throws(WireError) {
        let message = proto.pointee
        self.init(
            term: message.term,
            index: message.index,
            kind: try Kind(proto: message.kind, field: "RaftEntry.kind"),
            data: CReading.bytes(message.data)
        )
    }

    func proto(in arena: CArena) -> UnsafeMutablePointer<Tock__V1__RaftEntry> {
        arena.message(Tock__V1__RaftEntry.self) { message in
            tock__v1__raft_entry__init(message)
            message.pointee.term = term
            message.pointee.index = index
            message.pointee.kind = kind.proto
            message.pointee.data = arena.bytes(data)
        }
    }
}

extension Entry.Kind {
    /// Zero and numbers from a newer schema are refused: applying an entry as
    /// the wrong kind would corrupt the state machine or the membership.
    init(proto: Tock__V1__RaftEntryKind, field: String) throws(WireError) {
        switch proto {
        case TOCK__V1__RAFT_ENTRY_KIND__RAFT_ENTRY_KIND_NORMAL: self = .normal
        case TOCK__V1__RAFT_ENTRY_KIND__RAFT_ENTRY_KIND_NOOP: self = .noop
        case TOCK__V1__RAFT_ENTRY_KIND__RAFT_ENTRY_KIND_CONFIG_CHANGE: self = .configChange
        default: throw .missingField(field)
        }
    }

    var proto: Tock__V1__RaftEntryKind {
        switch self {
        case .normal: TOCK__V1__RAFT_ENTRY_KIND__RAFT_ENTRY_KIND_NORMAL
        case .noop: TOCK__V1__RAFT_ENTRY_KIND__RAFT_ENTRY_KIND_NOOP
        case .configChange: TOCK__V1__RAFT_ENTRY_KIND__RAFT_ENTRY_KIND_CONFIG_CHANGE
        }
    }
}
