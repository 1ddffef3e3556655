import TockModel
import TockProto
import TockRaft

/// What one transport frame between Raft nodes carries (`tock.v1.RaftFrame`):
/// a whole message, one piece of a message too big for a single frame, one
/// piece of the data of the snapshot message sent before it, or, while a
/// connection starts, a hello or a proof of its handshake.
///
/// Defined here rather than in TockRaftTransport because only TockWire calls
/// protobuf-c; the transport owns the framing (length prefix, chunk sizes).
public enum RaftFrame: Equatable, Sendable {
    case message(Message)
    case chunk(RaftChunk)
    case snapshotChunk(RaftSnapshotChunk)
    case hello(RaftHello)
    case proof(RaftProof)
}

/// A piece of one encoded `Message` (`tock.v1.RaftChunk`). The chunks of a
/// stream travel back to back on one connection with sequence 0, 1, 2, ...;
/// the receiver concatenates `data` and decodes a `Message` after `last`.
public struct RaftChunk: Equatable, Sendable {
    /// Chosen by the sender, unique per connection.
    public var streamID: UInt64
    public var sequence: UInt32
    public var last: Bool
    public var data: [UInt8]

    public init(streamID: UInt64, sequence: UInt32, last: Bool, data: [UInt8]) {
        self.streamID = streamID
        self.sequence = sequence
        self.last = last
        self.data = data
    }
}

extension RaftFrame {
    /// The `tock.v1.RaftFrame` protobuf encoding (without the length prefix).
    public func encoded() -> [UInt8] {
        ProtobufCCodec.encode(
            build: { proto(in: $0) },
            size: tock__v1__raft_frame__get_packed_size,
            pack: tock__v1__raft_frame__pack
        )
    }

    /// Decodes a `tock.v1.RaftFrame`. No body set (including a body kind added
    /// by a newer schema) is `WireError.missingField("RaftFrame.body")`.
    public init(decoding bytes: [UInt8]) throws(WireError) {
        self = try ProtobufCCodec.decode(
            bytes,
            message: "RaftFrame",
            unpack: tock__v1__raft_frame__unpack,
            free: tock__v1__raft_frame__free_unpacked
        ) { (message) throws(WireError) in try RaftFrame(proto: message) }
    }

    init(proto: UnsafePointer<Tock__V1__RaftFrame>) throws(WireError) {
        let frame = proto.pointee
        switch frame.body_case {
        case TOCK__V1__RAFT_FRAME__BODY_MESSAGE:
            self = .message(
                try CReading.required(frame.message, field: "RaftFrame.message") {
                    (message) throws(WireError) in try Message(proto: message)
                }
            )
        case TOCK__V1__RAFT_FRAME__BODY_CHUNK:
            self = .chunk(
                try CReading.required(frame.chunk, field: "RaftFrame.chunk") {
                    (chunk) throws(WireError) in
                    RaftChunk(
                        streamID: chunk.pointee.stream_id,
                        sequence: chunk.pointee.sequence,
                        last: chunk.pointee.last != 0,
                        data: CReading.bytes(chunk.pointee.data)
                    )
                }
            )
        case TOCK__V1__RAFT_FRAME__BODY_SNAPSHOT_CHUNK:
            self = .snapshotChunk(
                try CReading.required(frame.snapshot_chunk, field: "RaftFrame.snapshot_chunk") {
                    (chunk) throws(WireError) in
                    RaftSnapshotChunk(
                        sequence: chunk.pointee.sequence,
                        last: chunk.pointee.last != 0,
                        data: CReading.bytes(chunk.pointee.data),
                        size: chunk.pointee.size,
                        checksum: chunk.pointee.checksum
                    )
                }
            )
        case TOCK__V1__RAFT_FRAME__BODY_HELLO:
            self = .hello(
                try CReading.required(frame.hello, field: "RaftFrame.hello") { (hello) throws(WireError) in
                    RaftHello(
                        version: hello.pointee.version,
                        clusterID: try CReading.string(hello.pointee.cluster_id, field: "RaftHello.cluster_id"),
                        shard: hello.pointee.shard,
                        node: try CReading.string(hello.pointee.node, field: "RaftHello.node"),
                        to: try CReading.string(hello.pointee.to, field: "RaftHello.to"),
                        nonce: CReading.bytes(hello.pointee.nonce)
                    )
                }
            )
        case TOCK__V1__RAFT_FRAME__BODY_PROOF:
            self = .proof(
                try CReading.required(frame.proof, field: "RaftFrame.proof") { (proof) throws(WireError) in
                    RaftProof(mac: CReading.bytes(proof.pointee.mac))
                }
            )
        default:
            throw .missingField("RaftFrame.body")
        }
    }

    func proto(in arena: CArena) -> UnsafeMutablePointer<Tock__V1__RaftFrame> {
        arena.message(Tock__V1__RaftFrame.self) { frame in
            tock__v1__raft_frame__init(frame)
            switch self {
            case .message(let message):
                frame.pointee.body_case = TOCK__V1__RAFT_FRAME__BODY_MESSAGE
                frame.pointee.message = message.proto(in: arena)
            case .chunk(let chunk):
                frame.pointee.body_case = TOCK__V1__RAFT_FRAME__BODY_CHUNK
                frame.pointee.chunk = arena.message(Tock__V1__RaftChunk.self) { proto in
                    tock__v1__raft_chunk__init(proto)
                    proto.pointee.stream_id = chunk.streamID
                    proto.pointee.sequence = chunk.sequence
                    proto.pointee.last = chunk.last ? 1 : 0
                    proto.pointee.data = arena.bytes(chunk.data)
                }
            case .snapshotChunk(let chunk):
                frame.pointee.body_case = TOCK__V1__RAFT_FRAME__BODY_SNAPSHOT_CHUNK
                frame.pointee.snapshot_chunk = arena.message(Tock__V1__RaftSnapshotChunk.self) { proto in
                    tock__v1__raft_snapshot_chunk__init(proto)
                    proto.pointee.sequence = chunk.sequence
                    proto.pointee.last = chunk.last ? 1 : 0
                    proto.pointee.data = arena.bytes(chunk.data)
                    proto.pointee.size = chunk.size
                    proto.pointee.checksum = chunk.checksum
                }
            case .hello(let hello):
                frame.pointee.body_case = TOCK__V1__RAFT_FRAME__BODY_HELLO
                frame.pointee.hello = arena.message(Tock__V1__RaftHello.self) { proto in
                    tock__v1__raft_hello__init(proto)
                    proto.pointee.version = hello.version
                    proto.pointee.cluster_id = arena.string(hello.clusterID)
                    proto.pointee.shard = hello.shard
                    proto.pointee.node = arena.string(hello.node)
                    proto.pointee.to = arena.string(hello.to)
                    proto.pointee.nonce = arena.bytes(hello.nonce)
                }
            case .proof(let proof):
                frame.pointee.body_case = TOCK__V1__RAFT_FRAME__BODY_PROOF
                frame.pointee.proof = arena.message(Tock__V1__RaftProof.self) { proto in
                    tock__v1__raft_proof__init(proto)
                    proto.pointee.mac = arena.bytes(proof.mac)
                }
            }
        }
    }
}
