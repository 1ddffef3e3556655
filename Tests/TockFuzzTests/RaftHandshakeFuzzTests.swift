import NIOCore
import NIOEmbedded
import TockModel
import TockRaft
import TockWire
import XCTest

@testable import TockRaftTransport

/// The handshake's checks on what a stranger sends: random and mutated hellos and proofs never crash, and a
/// handshake passes only when the hello and the proof the server reads are the ones an honest client made.
final class RaftHandshakeFuzzTests: XCTestCase {
    static let identity = RaftPeerIdentity(
        clusterID: "prod", shard: 2, secret: try! RaftClusterSecret(Array("fuzzing the handshake's secret".utf8)))

    struct Exchange: CustomStringConvertible {
        var hello: [UInt8]
        var proof: [UInt8]
        var mutated: Bool
        /// What the honest client sent, before any mutation.
        var sent: (hello: RaftHello, proof: RaftProof)

        var description: String {
            "hello \(WireFuzzTests.hex(hello)), proof \(WireFuzzTests.hex(proof))\(mutated ? " (mutated)" : "")"
        }
    }

    static let client = RaftHandshake(me: "n1", identity: identity)
    static let server = RaftHandshake(me: "n3", identity: identity)
    /// One server hello for every example: the property is about what the client sends.
    static let serverHello = server.hello(to: nil)

    func testOnlyAnHonestClientsHelloAndProofPass() {
        fuzz("handshakes", examples: 3000) { random in
            let hello = random.oneIn(4) ? WireGenerators.hello(&random) : Self.client.hello(to: "n3")
            let proof = Self.client.proof(as: .client, client: hello, server: Self.serverHello)
            var exchange = Exchange(
                hello: RaftFrame.hello(hello).encoded(), proof: RaftFrame.proof(proof).encoded(),
                mutated: false, sent: (hello, proof))
            let mutator = FuzzMutator(tokens: WireFuzzTests.tokens)
            switch random.below(4) {
            case 0: break
            case 1: exchange.hello = mutator.mutate(exchange.hello, using: &random)
            case 2: exchange.proof = mutator.mutate(exchange.proof, using: &random)
            default: exchange.proof = RaftFrame.proof(RaftProof(mac: random.bytes(32))).encoded()
            }
            exchange.mutated =
                exchange.hello != RaftFrame.hello(hello).encoded()
                || exchange.proof != RaftFrame.proof(proof).encoded()
            return exchange
        } property: { exchange in
            guard case .hello(let hello)? = try? RaftFrame(decoding: exchange.hello),
                case .proof(let proof)? = try? RaftFrame(decoding: exchange.proof)
            else { return }
            let passed: Bool
            do {
                try Self.server.checkClient(hello) { $0 == "n1" }
                try Self.server.verify(proof, madeAs: .client, client: hello, server: Self.serverHello)
                passed = true
            } catch {
                passed = false
            }
            guard passed else { return }
            // A mutation that decodes to the same values (a repeated field, say) may pass; one that changes what
            // was proved may not.
            guard hello == exchange.sent.hello, proof == exchange.sent.proof else {
                throw Fuzz.Failure("a handshake passed that an honest client did not make: \(hello), \(proof)")
            }
        }
    }
}

/// The frames after a handshake with a secret: whatever is done to the sealed stream (a byte changed, a frame
/// dropped, repeated or swapped, bytes injected), the decoder yields only frames that were sent, in the order sent,
/// and stops at the first that was tampered with.
final class SealedFrameFuzzTests: XCTestCase {
    struct Stream: CustomStringConvertible {
        var sent: [RaftFrame]
        var bytes: [UInt8]
        var cuts: [Int]
        var tampered: Bool

        var description: String {
            "\(sent.count) frames, \(tampered ? "tampered" : "intact"), cut at \(cuts): "
                + WireFuzzTests.hex(Array(bytes.prefix(600)))
        }
    }

    static let key = Array("a session key of thirty-two bytes".utf8)

    static func stream(_ random: inout SplitMix64) -> Stream {
        let sent = (0..<random.within(1...6)).map { _ in WireGenerators.frame(&random) }
        var encoder = RaftFrameEncoder(seal: FrameSeal(key: key))
        var frames = sent.map { Array(encoder.framed($0.encoded()).readableBytesView) }
        var tampered = false
        if random.oneIn(2) {
            tampered = true
            let at = random.below(frames.count)
            switch random.below(5) {
            case 0: frames[at][random.below(frames[at].count)] ^= UInt8(1 << random.below(8))
            case 1: frames.remove(at: at)
            case 2: frames.insert(frames[at], at: at)
            case 3:
                let other = random.below(frames.count)
                if other == at { frames.remove(at: at) } else { frames.swapAt(at, other) }
            default:
                let forged = RaftFrameEncoder.lengthPrefixed(WireGenerators.frame(&random).encoded() + random.bytes(32))
                frames.insert(Array(forged.readableBytesView), at: at)
            }
        }
        let bytes = Array(frames.joined())
        let cuts = (0..<random.below(5)).map { _ in random.below(bytes.count + 1) }.sorted()
        return Stream(sent: sent, bytes: bytes, cuts: cuts, tampered: tampered)
    }

    func testOnlySentFramesInOrderPassTheSeal() {
        fuzz("sealed streams", examples: 2000) { random in
            Self.stream(&random)
        } property: { stream in
            let gate = HandshakeGate()
            gate.open(seal: FrameSeal(key: Self.key))
            let channel = EmbeddedChannel(handler: ByteToMessageHandler(RaftFrameDecoder(gate: gate)))
            defer { _ = try? channel.finish() }
            var frames: [RaftFrame] = []
            var failed = false
            for (start, end) in zip([0] + stream.cuts, stream.cuts + [stream.bytes.count]) where !failed {
                do {
                    try channel.writeInbound(channel.allocator.buffer(bytes: stream.bytes[start..<end]))
                } catch let error as RaftTransportError {
                    switch error {
                    case .frameNotAuthenticated, .frameTooLarge: break  // a changed length may announce too much
                    default: throw Fuzz.Failure("failed with \(error)")
                    }
                    failed = true
                }
                while let frame = try channel.readInbound(as: RaftFrame.self) { frames.append(frame) }
            }
            guard frames == Array(stream.sent.prefix(frames.count)) else {
                throw Fuzz.Failure("yielded a frame that was not sent, or out of order: \(frames)")
            }
            if !stream.tampered, frames != stream.sent || failed {
                throw Fuzz.Failure("an intact stream yielded \(frames.count) of \(stream.sent.count) frames")
            }
        }
    }
}
