import TockModel
import TockRaft
import TockWire
import XCTest

/// The protobuf-c decoders of every message Tock reads from NATS, the Raft log or a peer: whatever the bytes,
/// decoding throws a `WireError` or returns a value, and a returned value encodes to bytes that decode to it again.
/// Inputs: random bytes, and valid encodings damaged by the mutator (with protobuf's own edge cases: 10-byte
/// varints, huge lengths, wrong wire types, unknown fields, invalid UTF-8 in strings).
final class WireFuzzTests: XCTestCase {
    /// One message type, reached through its public encoding and decoding only.
    struct Codec: Sendable {
        let name: String
        /// A random value's encoding.
        let validEncoding: @Sendable (inout SplitMix64) -> [UInt8]
        /// A random value encodes and decodes to itself.
        let valueRoundTrip: @Sendable (inout SplitMix64) throws -> Void
        /// Decodes; a value must re-encode and decode to itself. Returns whether the bytes decoded.
        let bytesRoundTrip: @Sendable ([UInt8]) throws -> Bool
    }

    static func codec<T: Equatable & Sendable>(
        _ name: String, _ generate: @escaping @Sendable (inout SplitMix64) -> T,
        encode: @escaping @Sendable (T) -> [UInt8], decode: @escaping @Sendable ([UInt8]) throws(WireError) -> T
    ) -> Codec {
        Codec(
            name: name, validEncoding: { encode(generate(&$0)) },
            valueRoundTrip: { random in
                let value = generate(&random)
                let decoded = Result { () throws(WireError) in try decode(encode(value)) }
                guard case .success(value) = decoded else {
                    throw Fuzz.Failure("\(String(reflecting: value)) came back as \(decoded)")
                }
            },
            bytesRoundTrip: { bytes in
                guard let value = try? decode(bytes) else { return false }
                let again = Result { () throws(WireError) in try decode(encode(value)) }
                guard case .success(value) = again else {
                    throw Fuzz.Failure("decoded \(String(reflecting: value)), which re-encodes to \(again)")
                }
                return true
            })
    }

    static let codecs: [Codec] = [
        codec("JobSpec", WireGenerators.jobSpec, encode: { $0.encoded() }, decode: JobSpec.init(decoding:)),
        codec(
            "JobSpecBatch",
            { random in
                JobSpecBatch(jobs: (0..<random.below(4)).map { _ in WireGenerators.jobSpec(&random) })
            }, encode: { $0.encoded() }, decode: JobSpecBatch.init(decoding:)),
        codec("JobRun", WireGenerators.jobRun, encode: { $0.encoded() }, decode: JobRun.init(decoding:)),
        codec("Completion", WireGenerators.completion, encode: { $0.encoded() }, decode: Completion.init(decoding:)),
        codec(
            "ShardCommand", WireGenerators.shardCommand, encode: { $0.encoded() },
            decode: ShardCommand.init(decoding:)),
        codec("RaftEntry", WireGenerators.entry, encode: { $0.encoded() }, decode: Entry.init(decoding:)),
        codec("RaftHardState", WireGenerators.hardState, encode: { $0.encoded() }, decode: HardState.init(decoding:)),
        codec(
            "RaftMembership", WireGenerators.membership, encode: { $0.encoded() },
            decode: Membership.init(decoding:)),
        codec("RaftSnapshot", WireGenerators.snapshot, encode: { $0.encoded() }, decode: Snapshot.init(decoding:)),
        codec("RaftMessage", WireGenerators.message, encode: { $0.encoded() }, decode: Message.init(decoding:)),
        codec("RaftFrame", WireGenerators.frame, encode: { $0.encoded() }, decode: RaftFrame.init(decoding:)),
    ]

    /// Protobuf's edge cases, spliced in whole: the longest and overlong varints, lengths past the end, every wire
    /// type (3 and 4 are groups, 6 and 7 do not exist) on low field numbers, high field numbers, bad UTF-8.
    static let tokens: [[UInt8]] = {
        var tokens: [[UInt8]] = [
            Array(repeating: 0xFF, count: 9) + [0x01], Array(repeating: 0x80, count: 9) + [0x00],
            Array(repeating: 0xFF, count: 10) + [0x01], [0xFF, 0xFF, 0xFF, 0xFF, 0x0F], [0x80, 0x80, 0x80, 0x80, 0x10],
            [0x7F], [0x00], [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F], [0x0A, 0x7F], [0x0A, 0x00], [0x12, 0x01, 0xFF],
            [0x0A, 0x02, 0xC0, 0x80], [0x0A, 0x03, 0xED, 0xA0, 0x80], [0xF8, 0xFF, 0xFF, 0xFF, 0x0F, 0x00],
            [0x80, 0x01], [0xFA, 0xFF, 0xFF, 0xFF, 0x0F, 0x00],
        ]
        for field in 1...16 {
            for wireType in 0...7 { tokens.append([UInt8(field << 3 | wireType)]) }
        }
        return tokens
    }()

    func testEveryMessageEncodesAndDecodesToItself() {
        for codec in Self.codecs {
            fuzz("\(codec.name) round trip", examples: 300) { random in
                random
            } describe: { _ in
                "a random \(codec.name)"
            } property: { random in
                var random = random
                try codec.valueRoundTrip(&random)
            }
        }
    }

    func testRandomBytesDecodeOrThrow() {
        var decoded = 0
        let examples = 2000
        for codec in Self.codecs {
            fuzz("\(codec.name) random bytes", examples: examples) { random in
                random.oneIn(2)
                    ? random.bytes(random.oneIn(8) ? random.below(2000) : random.below(40))
                    : Self.randomFields(depth: 2, using: &random)
            } describe: {
                Self.hex($0)
            } property: { bytes in
                if try codec.bytesRoundTrip(bytes) { decoded += 1 }
            }
        }
        // Random fields of the right wire types decode now and then, which is what reaches Tock's reading.
        if Fuzz.replaySeed == nil {
            XCTAssertGreaterThan(decoded, Self.codecs.count * examples * Fuzz.multiplier / 20, "too few decode")
        }
        fuzz("MembershipChange random bytes", examples: 2000) { random in
            random.bytes(random.below(20))
        } describe: {
            Self.hex($0)
        } property: { bytes in
            guard let change = MembershipChange(decoding: bytes) else { return }
            guard MembershipChange(decoding: change.encoded()) == change else {
                throw Fuzz.Failure("\(change) does not survive encoding")
            }
        }
    }

    func testMutatedEncodingsDecodeOrThrow() {
        let mutator = FuzzMutator(tokens: Self.tokens)
        var corpusRandom = SplitMix64(seed: 16)
        let donors = Self.codecs.flatMap { codec in (0..<4).map { _ in codec.validEncoding(&corpusRandom) } }
        for codec in Self.codecs {
            var decoded = 0
            let examples = 4000
            fuzz("\(codec.name) mutated", examples: examples) { random in
                mutator.mutate(codec.validEncoding(&random), donors: donors, using: &random)
            } describe: {
                Self.hex($0)
            } property: { bytes in
                if try codec.bytesRoundTrip(bytes) { decoded += 1 }
            }
            // Mutants that still decode are what reach past protobuf-c into Tock's own reading.
            if Fuzz.replaySeed == nil {
                XCTAssertGreaterThan(
                    decoded, examples * Fuzz.multiplier / 50,
                    "\(codec.name): too few mutants decode to exercise the reading")
            }
        }
    }

    /// Protobuf fields with random numbers (mostly the low ones messages use) and values of their wire type:
    /// varints at the edges, fixed 32 and 64 bits, and length-delimited bytes that are random or fields again.
    static func randomFields(depth: Int, using random: inout SplitMix64) -> [UInt8] {
        func varint(_ value: UInt64) -> [UInt8] {
            var value = value
            var bytes: [UInt8] = []
            repeat {
                bytes.append(UInt8(value & 0x7F) | (value > 0x7F ? 0x80 : 0))
                value >>= 7
            } while value > 0
            return bytes
        }
        var bytes: [UInt8] = []
        for _ in 0..<random.below(8) {
            let field = UInt64(random.oneIn(10) ? random.within(1...536_870_911) : random.within(1...16))
            switch random.below(4) {
            case 0: bytes += varint(field << 3) + varint(random.oneIn(2) ? UInt64(random.below(5)) : random.edgy())
            case 1: bytes += varint(field << 3 | 1) + random.bytes(8)
            case 2: bytes += varint(field << 3 | 5) + random.bytes(4)
            default:
                let value =
                    depth > 0 && random.oneIn(2)
                    ? randomFields(depth: depth - 1, using: &random)
                    : random.oneIn(2) ? Array(random.cText(maxLength: 8).utf8) : random.bytes(random.below(12))
                bytes += varint(field << 3 | 2) + varint(UInt64(value.count)) + value
            }
        }
        return bytes
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }
            .joined(separator: " ") + " (\(bytes.count) bytes)"
    }
}
