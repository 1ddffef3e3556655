import Foundation
import NIOHTTP1
import TockCore
import TockNATS
import TockShard
import TockTestSupport
import XCTest

/// API keys as an operator manages them: `tock auth add-key` and `remove-key` on the file, `tock shard
/// --auth-file` re-reading it on SIGHUP, the CLI's `--token` and `TOCK_TOKEN`, and a fleet of shards and a router
/// that forward each caller's key to the node that acts.
final class APIKeyProcessTests: XCTestCase {
    var tock: TockHarness!
    var shard: Process?
    var keyFile: URL { tock.dataDirectory.appendingPathComponent("keys.yaml") }
    var log: URL { tock.dataDirectory.appendingPathComponent("shard.log") }
    let port = freeLoopbackPort()
    var base: String { "http://127.0.0.1:\(port)" }

    override func setUp() async throws {
        tock = try await TockHarness.start(shard: false, executor: false)
    }

    override func tearDown() async throws {
        if let shard, shard.isRunning {
            shard.stop()
        }
        if (testRun?.totalFailureCount ?? 0) > 0, let text = try? String(contentsOf: log, encoding: .utf8) {
            print("----- shard.log\n" + text.split(separator: "\n").suffix(40).joined(separator: "\n"))
        }
        await tock?.shutdown()
    }

    func addKey(_ name: String, tenant: String, scopes: [String]) throws -> String {
        let result = try TockBinary.run(
            ["auth", "add-key", "--file", keyFile.path, "--name", name, "--tenant", tenant]
                + scopes.flatMap { ["--scope", $0] })
        XCTAssertEqual(result.status, 0, result.stderr)
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func startShard(_ extra: [String]) async throws {
        shard = try TockBinary.launch(
            [
                "shard", "--data", tock.dataDirectory.path, "--http", "127.0.0.1:\(port)",
                "--nats-url", tock.nats.url,
            ] + extra, log: log)
        _ = try await eventually(within: .seconds(20), "the shard process to serve /healthz") {
            (try? await self.tock.request(.GET, "/healthz", base: self.base))?.status == 200 ? true : nil
        }
    }

    func status(_ path: String, key: String?) async throws -> Int {
        try await tock.request(.GET, path, base: base, headers: key.map { [("Authorization", "Bearer \($0)")] } ?? [])
            .status
    }

    func testKeysAddedAndRemovedWithTheCLITakeEffectOnSIGHUP() async throws {
        let admin = try addKey("ops", tenant: "ops", scopes: ["admin"])
        XCTAssertTrue(admin.hasPrefix("tock_"), admin)
        let stored = try String(contentsOf: keyFile, encoding: .utf8)
        XCTAssertFalse(stored.contains(admin), "the file holds only the key's hash")
        let mode = try FileManager.default.attributesOfItem(atPath: keyFile.path)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600)

        try await startShard(["--auth-file", keyFile.path])
        let status0 = try await status("/v1/cluster", key: admin)
        XCTAssertEqual(status0, 200)
        let anonymous = try await status("/v1/jobs", key: nil)
        XCTAssertEqual(anonymous, 401)

        let writer = try addKey("ci", tenant: "team-a", scopes: ["jobs:write", "jobs:read"])
        let beforeReload = try await status("/v1/jobs", key: writer)
        XCTAssertEqual(beforeReload, 401, "a node reads the file at start and on SIGHUP only")
        kill(try XCTUnwrap(shard).processIdentifier, SIGHUP)
        _ = try await eventually(within: .seconds(10), "the new key to be accepted after SIGHUP") {
            (try? await self.status("/v1/jobs", key: writer)) == 200 ? true : nil
        }

        // The CLI sends --token, or TOCK_TOKEN from the environment.
        let submitted = try TockBinary.run([
            "submit", "--url", "http://example.com/h", "--delay", "1h",
            "--server", base, "--token", writer,
        ])
        XCTAssertEqual(submitted.status, 0, submitted.stderr)
        let id = try XCTUnwrap(JSONValue(parsing: Array(submitted.stdout.utf8))?["id"]?.string)
        let fromEnvironment = try TockBinary.run(["get", id, "--server", base], environment: ["TOCK_TOKEN": writer])
        XCTAssertEqual(fromEnvironment.status, 0, fromEnvironment.stderr)
        let withoutToken = try TockBinary.run(["get", id, "--server", base], environment: ["TOCK_TOKEN": ""])
        XCTAssertEqual(withoutToken.status, 1)
        XCTAssertTrue(withoutToken.stderr.contains("401"), withoutToken.stderr)

        let listed = try TockBinary.run(["auth", "list-keys", "--file", keyFile.path])
        XCTAssertEqual(listed.stdout, "ops\tops\tadmin\nci\tteam-a\tjobs:read,jobs:write\n")
        let removed = try TockBinary.run(["auth", "remove-key", "--file", keyFile.path, "--name", "ci"])
        XCTAssertEqual(removed.status, 0, removed.stderr)
        kill(try XCTUnwrap(shard).processIdentifier, SIGHUP)
        _ = try await eventually(within: .seconds(10), "the removed key to be refused after SIGHUP") {
            (try? await self.status("/v1/jobs", key: writer)) == 401 ? true : nil
        }

        // A file broken by hand is not loaded: the node keeps the keys it had.
        try "keys: [".write(to: keyFile, atomically: true, encoding: .utf8)
        kill(try XCTUnwrap(shard).processIdentifier, SIGHUP)
        _ = try await eventually(within: .seconds(10), "the failed reload to be logged") {
            ((try? String(contentsOf: self.log, encoding: .utf8)) ?? "").contains("API keys not reloaded") ? true : nil
        }
        let stillAdmin = try await status("/v1/cluster", key: admin)
        XCTAssertEqual(stillAdmin, 200)
    }

    func testAShardWithoutAnAuthFileWarnsThatItsAPIIsOpen() async throws {
        try await startShard([])
        let open = try await status("/v1/jobs", key: nil)
        XCTAssertEqual(open, 200)
        let text = try String(contentsOf: log, encoding: .utf8)
        XCTAssertTrue(text.contains("the API is open"), text)
    }

    func testAnUnreadableAuthFileStopsTheShardAtStart() throws {
        let result = try TockBinary.run([
            "shard", "--data", tock.dataDirectory.path, "--http", "127.0.0.1:\(port)",
            "--nats-url", tock.nats.url, "--auth-file", keyFile.path,
        ])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("--auth-file"), result.stderr)
    }

    func testARouterAndForwardingNodesCarryEachCallersKey() async throws {
        let admin = try addKey("ops", tenant: "ops", scopes: ["admin"])
        let teamA = try addKey("a", tenant: "team-a", scopes: ["jobs:write", "jobs:read"])
        let teamB = try addKey("b", tenant: "team-b", scopes: ["jobs:write", "jobs:read"])
        var layout = QueueConfig()
        layout.shardCount = 2
        let connection = try NATSConnection.connect(url: tock.nats.url)
        try JetStreamSetup.apply(layout, to: try connection.jetStream())
        connection.close()
        let fleet = try ShardFleetProcesses(harness: tock, shards: 2)
        fleet.extraArguments = ["--auth-file", keyFile.path]
        fleet.adminToken = admin
        defer { fleet.stopAll() }
        try fleet.startAll()
        try fleet.startRouter()
        for shard in 0..<2 { _ = try await fleet.awaitLeader(shard: shard) }
        _ = try await eventually(within: .seconds(20), "the router to serve /healthz") {
            (try? await self.tock.request(.GET, "/healthz", base: fleet.routerBase))?.status == 200 ? true : nil
        }
        let bearer = { (key: String) in [("Authorization", "Bearer \(key)")] }
        var ids: [String] = []
        for i in 0..<20 {
            let reply = try await tock.request(
                .POST, "/v1/jobs", body: #"{"url": "http://example.com/\#(i)", "delay": "1h"}"#,
                base: fleet.routerBase, headers: bearer(teamA))
            XCTAssertEqual(reply.status, 201, "\(reply.json)")
            ids.append(try XCTUnwrap(reply["id"]?.string))
        }
        XCTAssertEqual(Set(ids.compactMap { JobID.shard(of: $0) }).count, 2, "the jobs spread over both shards")
        for id in ids {
            let node = fleet.allBases.randomElement()!
            let mine = try await tock.request(.GET, "/v1/jobs/\(id)", base: node, headers: bearer(teamA))
            XCTAssertEqual(mine.status, 200, "\(id) through \(node)")
            XCTAssertEqual(mine["tenant"]?.string, "team-a")
            let theirs = try await tock.request(.GET, "/v1/jobs/\(id)", base: node, headers: bearer(teamB))
            XCTAssertEqual(theirs.status, 404, "\(id) through \(node)")
        }
        let listed = try await tock.request(.GET, "/v1/jobs?limit=100", base: fleet.routerBase, headers: bearer(teamA))
        XCTAssertEqual(listed["jobs"]?.array?.count, 20)
        let listedByB = try await tock.request(
            .GET, "/v1/jobs?limit=100", base: fleet.routerBase, headers: bearer(teamB))
        XCTAssertEqual(listedByB["jobs"]?.array?.count, 0)
        let anonymous = try await tock.request(.GET, "/v1/jobs", base: fleet.routerBase)
        XCTAssertEqual(anonymous.status, 401)
    }
}
