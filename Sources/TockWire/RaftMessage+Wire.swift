import TockModel
import TockProto
import TockRaft

extension Message {
    /// The `tock.v1.RaftMessage` protobuf encoding.
    ///
    /// Node IDs travel as C strings through protobuf-c: an ID containing U+0000
    /// is cut at its first NUL.
    public func encoded() -> [UInt8] {
        ProtobufCCodec.encode(
            build: { proto(in: $0) },
            size: tock__v1__raft_message__get_packed_size,
            pack: tock__v1__raft_message__pack
        )
    }

    /// Decodes a `tock.v1.RaftMessage`. An unspecified/unknown message or entry
    /// kind is `WireError.missingField`; an absent snapshot field is `snapshot == nil`.
    public init(decoding bytes: [UInt8]) throws(WireError) {
        self = try ProtobufCCodec.decode(
            bytes,
            message: "RaftMessage",
            unpack: tock__v1__raft_message__unpack,
            free: tock__v1__raft_message__free_unpacked
        ) { (message) throws(WireError) in try Message(proto: message) }
    }

    init(proto: UnsafePointer<Tock__V1__RaftMessage>) throws(WireError) {
        let message = proto.pointee
        var snapshot: Snapshot?
        if let pointer = message.snapshot {
            snapshot = try Snapshot(proto: UnsafePointer(pointer))
        }
        self.init(
            kind: try Kind(proto: message.kind, field: "RaftMessage.kind"),
            from: try CReading.string(message.from, field: "RaftMessage.from"),
            to: try CReading.string(message.to, field: "RaftMessage.to"),
            term: message.term,
            index: message.index,
            logTerm: message.log_term,
            entries: try CReading.repeated(message.n_entries, message.entries, field: "RaftMessage.entries") {
                (entry) throws(WireError) in try Entry(proto: entry)
            },
            commit: message.commit,
            reject: message.reject != 0,
            rejectHint: message.reject_hint,
            hintTerm: message.hint_term,
            snapshot: snapshot,
            transfer: message.transfer != 0,
            context: message.context
        )
    }

    func proto(in arena: CArena) -> UnsafeMutablePointer<Tock__V1__RaftMessage> {
        arena.message(Tock__V1__RaftMessage.self) { message in
            tock__v1__raft_message__init(message)
            message.pointee.kind = kind.proto
            message.pointee.from = arena.string(from)
            message.pointee.to = arena.string(to)
            message.pointee.term = term
            message.pointee.index = index
            message.pointee.log_term = logTerm
            message.pointee.n_entries = entries.count
            message.pointee.entries = arena.pointerArray(entries.map { $0.proto(in: arena) })
            message.pointee.commit = commit
            message.pointee.reject = reject ? 1 : 0
            message.pointee.reject_hint = rejectHint
            message.pointee.hint_term = hintTerm
            // nil leaves the field out entirely: that absence is "no snapshot".
            message.pointee.snapshot = snapshot?.proto(in: arena)
            message.pointee.transfer = transfer ? 1 : 0
            message.pointee.context = context
        }
    }
}

extension Message.Kind {
    /// Zero and numbers from a newer schema are refused rather than guessed.
    init(proto: Tock__V1__RaftMessageKind, field: String) throws(WireError) {
        switch proto {
        case TOCK__V1__RAFT_MESSAGE_KIND__RAFT_MESSAGE_KIND_PRE_VOTE: self = .preVote
        case TOCK__V1__RAFT_MESSAGE_KIND__RAFT_MESSAGE_KIND_PRE_VOTE_RESPONSE: self = .preVoteResponse
        case TOCK__V1__RAFT_MESSAGE_KIND__RAFT_MESSAGE_KIND_VOTE: self = .vote
        case TOCK__V1__RAFT_MESSAGE_KIND__RAFT_MESSAGE_KIND_VOTE_RESPONSE: self = .voteResponse
        case TOCK__V1__RAFT_MESSAGE_KIND__RAFT_MESSAGE_KIND_APPEND: self = .append
        case TOCK__V1__RAFT_MESSAGE_KIND__RAFT_MESSAGE_KIND_APPEND_RESPONSE: self = .appendResponse
        case TOCK__V1__RAFT_MESSAGE_KIND__RAFT_MESSAGE_KIND_HEARTBEAT: self = .heartbeat
        case TOCK__V1__RAFT_MESSAGE_KIND__RAFT_MESSAGE_KIND_HEARTBEAT_RESPONSE: self = .heartbeatResponse
        case TOCK__V1__RAFT_MESSAGE_KIND__RAFT_MESSAGE_KIND_SNAPSHOT: self = .snapshot
        case TOCK__V1__RAFT_MESSAGE_KIND__RAFT_MESSAGE_KIND_TIMEOUT_NOW: self = .timeoutNow
        default: throw .missingField(field)
        }
    }

    var proto: Tock__V1__RaftMessageKind {
        switch self {
        case .preVote: TOCK__V1__RAFT_MESSAGE_KIND__RAFT_MESSAGE_KIND_PRE_VOTE
        case .preVoteResponse: TOCK__V1__RAFT_MESSAGE_KIND__RAFT_MESSAGE_KIND_PRE_VOTE_RESPONSE
        case .vote: TOCK__V1__RAFT_MESSAGE_KIND__RAFT_MESSAGE_KIND_VOTE
        case .voteResponse: TOCK__V1__RAFT_MESSAGE_KIND__RAFT_MESSAGE_KIND_VOTE_RESPONSE
        case .append: TOCK__V1__RAFT_MESSAGE_KIND__RAFT_MESSAGE_KIND_APPEND
        case .appendResponse: TOCK__V1__RAFT_MESSAGE_KIND__RAFT_MESSAGE_KIND_APPEND_RESPONSE
        case .heartbeat: TOCK__V1__RAFT_MESSAGE_KIND__RAFT_MESSAGE_KIND_HEARTBEAT
        case .heartbeatResponse: TOCK__V1__RAFT_MESSAGE_KIND__RAFT_MESSAGE_KIND_HEARTBEAT_RESPONSE
        case .snapshot: TOCK__V1__RAFT_MESSAGE_KIND__RAFT_MESSAGE_KIND_SNAPSHOT
        case .timeoutNow: TOCK__V1__RAFT_MESSAGE_KIND__RAFT_MESSAGE_KIND_TIMEOUT_NOW
        }
    }
}
