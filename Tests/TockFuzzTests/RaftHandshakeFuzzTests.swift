import TockRaft
@testable import TockRaftTransport
import TockWire
import XCTest

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
            var exchange = Exchange(hello: RaftFrame.hello(hello).encoded(), proof: RaftFrame.proof(proof).encoded(),
                                    mutated: false, sent: (hello, proof))
            let mutator = FuzzMutator(tokens: WireFuzzTests.tokens)
            switch random.below(4) {
            case 0: break
            case 1: exchange.hello = mutator.mutate(exchange.hello, using: &random)
            case 2: exchange.proof = mutator.mutate(exchange.proof, using: &random)
            default: exchange.proof = RaftFrame.proof(RaftProof(mac: random.bytes(32))).encoded()
            }
            exchange.mutated = exchange.hello != RaftFrame.hello(hello).encoded()
                || exchange.proof != RaftFrame.proof(proof).encoded()
            return exchange
        } property: { exchange in
            guard case let .hello(hello)? = try? RaftFrame(decoding: exchange.hello),
                  case let .proof(proof)? = try? RaftFrame(decoding: exchange.proof)
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
