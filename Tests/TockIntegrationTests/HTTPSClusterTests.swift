import Foundation
import TockCore
import TockTestSupport
import XCTest

/// A 3-node shard whose nodes serve HTTPS and list each other as `https://`: a job submitted to a follower is
/// routed to the leader over HTTPS, and a follower forwards a leadership transfer to the leader over HTTPS.
final class HTTPSClusterTests: XCTestCase {
    var tock: TockHarness!
    var certificates: TestCertificates!
    var cluster: ShardClusterProcesses!

    override func setUp() async throws {
        tock = try await TockHarness.start(shard: false)
        certificates = try TestCertificates()
        cluster = ShardClusterProcesses(harness: tock, certificates: certificates)
    }

    override func tearDown() async throws {
        cluster?.stopAll()
        if (testRun?.totalFailureCount ?? 0) > 0 { cluster?.printLogs() }
        try? await cluster?.tlsClient?.shutdown()
        await tock?.shutdown()
    }

    func testFollowersReachTheLeaderOverHTTPS() async throws {
        for node in cluster.names { try cluster.start(node) }
        let leader = try await cluster.awaitLeader()
        let followers = cluster.names.filter { $0 != leader }
        let tlsCA = ["--tls-ca", certificates.caFile]

        let submitted = try TockBinary.run(
            [
                "submit", "--url", "\(tock.sink.baseURL)/ok",
                "--server", cluster.base(followers[0]),
            ] + tlsCA)
        XCTAssertEqual(submitted.status, 0, submitted.stderr)
        let job = try JSONDecoder().decode(JSONValue.self, from: Data(submitted.stdout.utf8))
        let id = try XCTUnwrap(job["id"]?.string, submitted.stdout)
        _ = try await eventually("the job submitted to a follower at the webhook") {
            tock.sink.requests(forJob: id).isEmpty ? nil : true
        }

        // After `tock shard`, --tls-ca is the shard's own option: its subcommands take --server-ca.
        let moved = try TockBinary.run([
            "shard", "transfer-leader", "--server", cluster.base(followers[0]),
            "--to", followers[1], "--server-ca", certificates.caFile,
        ])
        XCTAssertEqual(moved.status, 0, moved.stderr)
        let newLeader = try await cluster.awaitLeader(within: .seconds(5)) { $0 == followers[1] }
        XCTAssertEqual(newLeader, followers[1])
    }
}
