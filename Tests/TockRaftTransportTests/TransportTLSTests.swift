import Foundation
import TockRaft
import TockRaftTransport
import XCTest

/// Mutual TLS on the Raft port, with certificates made by the openssl command: peers of one CA talk (with the
/// cluster secret's handshake inside TLS); a plaintext peer and a peer of another CA are refused both ways.
final class TransportTLSTests: XCTestCase {
    static let secret = try! RaftClusterSecret(Array("the secret inside the TLS tunnel".utf8))
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("raft-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// A CA named `ca` and a node certificate it signed, usable as server and client; returns the TLS settings.
    func makeTLS(ca: String) throws -> RaftTLS {
        let base = directory.appendingPathComponent(ca).path
        let extensions = base + ".ext"
        try "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\n"
            .write(toFile: extensions, atomically: true, encoding: .utf8)
        try openssl([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", base + "-ca.key", "-out", base + "-ca.pem", "-days", "1", "-subj", "/CN=\(ca)",
        ])
        try openssl([
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", base + "-node.key", "-out", base + "-node.csr", "-subj", "/CN=node",
        ])
        try openssl([
            "x509", "-req", "-in", base + "-node.csr", "-CA", base + "-ca.pem", "-CAkey", base + "-ca.key",
            "-CAcreateserial", "-out", base + "-node.pem", "-days", "1", "-extfile", extensions,
        ])
        return try RaftTLS(certificatePath: base + "-node.pem", keyPath: base + "-node.key", caPath: base + "-ca.pem")
    }

    private func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "openssl \(arguments.joined(separator: " "))")
    }

    func identity() -> RaftPeerIdentity {
        RaftPeerIdentity(clusterID: "prod", shard: 0, secret: Self.secret)
    }

    func testPeersOfOneCATalkOverTLS() async throws {
        let tls = try makeTLS(ca: "cluster")
        let receiver = try await Node.start("n2", identity: identity(), tls: tls)
        let sender = try await Node.start("n1", peers: ["n2": receiver.address], identity: identity(), tls: tls)
        let big = Message(
            kind: .append, from: "n1", to: "n2", term: 2, index: 1,
            entries: [Entry(term: 2, index: 2, data: Array(repeating: 7, count: 3 << 20))])
        sender.transport.send([Message(kind: .vote, from: "n1", to: "n2", term: 2, index: 0), big])
        await eventually("delivered over TLS") { receiver.inbox.count == 2 }
        XCTAssertEqual(receiver.inbox.all.last, big)
        XCTAssertEqual(receiver.refusals.all + sender.refusals.all, [])
        for node in [sender, receiver] { await node.transport.shutdown() }
    }

    func testPlaintextPeersAndPeersOfAnotherCAAreRefused() async throws {
        let tls = try makeTLS(ca: "cluster")
        let other = try makeTLS(ca: "other")
        let receiver = try await Node.start("n2", identity: identity(), tls: tls)
        let vote = Message(kind: .vote, from: "n1", to: "n2", term: 9, index: 0)

        let plaintext = try await Node.start("n1", peers: ["n2": receiver.address], identity: identity())
        plaintext.transport.send([vote])
        await eventually("the plaintext peer refused") { receiver.refusals.count(.tls) >= 1 }
        await plaintext.transport.shutdown()

        let stranger = try await Node.start("n1", peers: ["n2": receiver.address], identity: identity(), tls: other)
        stranger.transport.send([vote])
        await eventually("the other CA's peer refused") { receiver.refusals.count(.tls) >= 2 }
        await eventually("and it refused the receiver's certificate too") { stranger.refusals.count(.tls) >= 1 }
        await stranger.transport.shutdown()

        // A TLS node dialling a plaintext one gets nothing through either.
        let plainReceiver = try await Node.start("n3", identity: identity())
        let dialler = try await Node.start("n1", peers: ["n3": plainReceiver.address], identity: identity(), tls: tls)
        dialler.transport.send([Message(kind: .vote, from: "n1", to: "n3", term: 9, index: 0)])
        await eventually("the plaintext listener refused TLS") { plainReceiver.refusals.count(.malformed) >= 1 }
        XCTAssertEqual(receiver.inbox.count + plainReceiver.inbox.count, 0)
        for node in [dialler, plainReceiver, receiver] { await node.transport.shutdown() }
    }
}
