import Logging
import Synchronization
import TockModel
import TockRaft
import TockWire
import XCTest

@testable import TockRaftTransport

/// The handshake's checks and proofs, without I/O.
final class RaftHandshakeTests: XCTestCase {
    let identity = RaftPeerIdentity(
        clusterID: "prod", shard: 1, secret: try! RaftClusterSecret(Array("0123456789abcdef0123".utf8)))

    func testProofsVerifyOnlyForTheirRoleAndHandshake() throws {
        let client = RaftHandshake(me: "n1", identity: identity)
        let server = RaftHandshake(me: "n2", identity: identity)
        let clientHello = client.hello(to: "n2")
        let serverHello = server.hello(to: nil)
        XCTAssertNoThrow(try server.checkClient(clientHello) { $0 == "n1" })
        XCTAssertNoThrow(try client.checkServer(serverHello, expected: "n2"))

        let proof = client.proof(as: .client, client: clientHello, server: serverHello)
        XCTAssertEqual(proof.mac.count, 32)
        XCTAssertNoThrow(try server.verify(proof, madeAs: .client, client: clientHello, server: serverHello))
        // The client's proof does not pass as the server's (no reflection).
        XCTAssertThrowsError(try client.verify(proof, madeAs: .server, client: clientHello, server: serverHello))
        // Another nonce (a replay on a new connection) or another name fails.
        var replayed = serverHello
        replayed.nonce = server.hello(to: nil).nonce
        XCTAssertThrowsError(try server.verify(proof, madeAs: .client, client: clientHello, server: replayed))
        var renamed = clientHello
        renamed.node = "n3"
        XCTAssertThrowsError(try server.verify(proof, madeAs: .client, client: renamed, server: serverHello))
        // A flipped bit, a cut MAC, an empty one.
        var flipped = proof
        flipped.mac[5] ^= 1
        for bad in [flipped, RaftProof(mac: Array(proof.mac.prefix(16))), RaftProof(mac: [])] {
            XCTAssertThrowsError(try server.verify(bad, madeAs: .client, client: clientHello, server: serverHello)) {
                XCTAssertEqual(($0 as? RaftPeerRefusal)?.reason, .secret)
            }
        }
    }

    func testWithoutASecretOnlyAnEmptyProofPasses() throws {
        let open = RaftHandshake(me: "n2", identity: RaftPeerIdentity(clusterID: "prod", shard: 1))
        let guarded = RaftHandshake(me: "n1", identity: identity)
        let clientHello = guarded.hello(to: "n2")
        let serverHello = open.hello(to: nil)
        XCTAssertEqual(open.proof(as: .server, client: clientHello, server: serverHello).mac, [])
        XCTAssertNoThrow(try open.verify(RaftProof(mac: []), madeAs: .client, client: clientHello, server: serverHello))
        let proof = guarded.proof(as: .client, client: clientHello, server: serverHello)
        XCTAssertThrowsError(try open.verify(proof, madeAs: .client, client: clientHello, server: serverHello))
    }

    func testHelloChecks() {
        let server = RaftHandshake(me: "n2", identity: identity)
        let good = RaftHandshake(me: "n1", identity: identity).hello(to: "n2")
        func reason(_ change: (inout RaftHello) -> Void, members: Set<NodeID> = ["n1"]) -> RaftPeerRefusal.Reason? {
            var hello = good
            change(&hello)
            do {
                try server.checkClient(hello) { members.contains($0) }
                return nil
            } catch {
                return error.reason
            }
        }
        XCTAssertNil(reason { _ in })
        XCTAssertEqual(reason { $0.version = 2 }, .version)
        XCTAssertEqual(reason { $0.clusterID = "staging" }, .cluster)
        XCTAssertEqual(reason { $0.shard = 0 }, .shard)
        XCTAssertEqual(reason { $0.node = "n2" }, .node)
        XCTAssertEqual(reason { $0.node = "" }, .node)
        XCTAssertEqual(reason { $0.to = "n3" }, .node)
        XCTAssertEqual(reason({ _ in }, members: ["n3"]), .node)
        XCTAssertEqual(reason { $0.nonce = [1, 2, 3] }, .malformed)
        XCTAssertEqual(reason { $0.nonce = [] }, .malformed)
    }

    func testASecretNeedsSixteenBytes() {
        XCTAssertThrowsError(try RaftClusterSecret(Array("short".utf8)))
        XCTAssertNoThrow(try RaftClusterSecret(Array(repeating: 7, count: 16)))
    }

    func testRefusalsAreCountedAlwaysAndLoggedOncePerMinutePerReason() {
        let counted = Mutex<[RaftPeerRefusal.Reason]>([])
        let clock = Mutex(ContinuousClock.now)
        let logged = LogCapture()
        var logger = Logger(label: "refusals") { _ in logged }
        logger.logLevel = .info
        let reporter = RefusalReporter(
            logger: logger, onRefusal: { reason in counted.withLock { $0.append(reason) } },
            now: { clock.withLock { $0 } })
        for _ in 0..<10 { reporter.report(RaftPeerRefusal(.secret, "x"), remote: "a", outbound: false) }
        reporter.report(RaftPeerRefusal(.shard, "x"), remote: "a", outbound: false)
        XCTAssertEqual(counted.withLock { $0.count }, 11)
        XCTAssertEqual(logged.count, 2)
        clock.withLock { $0 = $0.advanced(by: .seconds(61)) }
        reporter.report(RaftPeerRefusal(.secret, "x"), remote: "a", outbound: false)
        XCTAssertEqual(logged.count, 3)
        XCTAssertEqual(logged.last?["raft.refused.unlogged"], "9")
    }
}

/// A log handler that keeps the metadata of every entry.
final class LogCapture: LogHandler, @unchecked Sendable {
    private let entries = Mutex<[Logger.Metadata]>([])
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        entries.withLock { $0.append(self.metadata.merging(event.metadata ?? [:]) { $1 }) }
    }

    var count: Int { entries.withLock { $0.count } }
    var last: [String: String]? { entries.withLock { $0.last?.mapValues { "\($0)" } } }
}
