import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import TockCore
import TockTestSupport
import XCTest

/// A 3-node shard of real `tock shard` processes on loopback, with default Raft timeouts: the leader is killed
/// with SIGKILL under a stream of submits, a new leader serves within 2 s, every acknowledged job is delivered,
/// and the killed node rejoins and catches up from a snapshot. Leadership can also be handed over on request, and
/// an idempotency key seen before the handover still names its job after it.
final class ShardClusterTests: XCTestCase {
    var tock: TockHarness!
    var cluster: ShardClusterProcesses!

    override func setUp() async throws {
        tock = try await TockHarness.start(shard: false)
        cluster = ShardClusterProcesses(harness: tock)
    }

    override func tearDown() async throws {
        cluster?.stopAll()
        if (testRun?.totalFailureCount ?? 0) > 0 { cluster?.printLogs() }
        await tock?.shutdown()
    }

    func testKillingTheLeaderUnderLoadLosesNoAcknowledgedJobAndTheNodeCatchesUp() async throws {
        for node in cluster.names { try cluster.start(node) }
        let leader = try await cluster.awaitLeader()
        let survivors = cluster.names.filter { $0 != leader }

        let stream = SubmitStream(tock: tock, bases: cluster.names.map { cluster.base($0) })
        let submitting = Task { await stream.run() }
        _ = try await eventually(within: .seconds(20), "150 acknowledged submits before the kill") {
            stream.acknowledged.count >= 150 ? true : nil
        }
        let killedAt = ContinuousClock.now
        cluster.kill(leader)
        stream.stopSending(to: cluster.base(leader))
        let acksAtKill = stream.acknowledged.count

        let newLeader = try await cluster.awaitLeader(among: survivors, within: .seconds(5)) { $0 != leader }
        let firstAckAfterKill = try await eventually(within: .seconds(5), "a submit acknowledged after the kill") {
            stream.firstAcknowledgement(after: killedAt)
        }
        let failover = firstAckAfterKill - killedAt
        XCTAssertLessThan(failover, .seconds(2), "a new leader took \(failover) to serve")

        _ = try await eventually(within: .seconds(20), "200 more acknowledged submits after the kill") {
            stream.acknowledged.count >= acksAtKill + 200 ? true : nil
        }
        submitting.cancel()
        await submitting.value

        let acknowledged = stream.acknowledged
        _ = try await eventually(within: .seconds(60), "every acknowledged job at the webhook") {
            let missing = acknowledged.filter { tock.sink.requests(forJob: $0).isEmpty }
            return missing.isEmpty ? true : nil
        }

        // The killed node's log was compacted away meanwhile (--snapshot-every 100): it catches up by snapshot.
        try cluster.start(leader)
        let target = try await cluster.status(of: newLeader)["commit_index"]?.int ?? 0
        let rejoined: JSONValue = try await eventually(within: .seconds(20), "the killed node to catch up") {
            let status = try? await cluster.status(of: leader)
            return (status?["applied_index"]?.int ?? 0) >= target ? status : nil
        }
        XCTAssertGreaterThan(rejoined["snapshot_index"]?.int ?? 0, 0, "caught up by installing a snapshot")
        let job = try await tock.job(try XCTUnwrap(acknowledged.last), base: cluster.base(leader))
        XCTAssertEqual(job.status, 200, "the rejoined node forwards reads to the leader")
    }

    func testADeadNodeIsReplacedWhileSubmitsContinue() async throws {
        for node in cluster.names { try cluster.start(node) }
        let leader = try await cluster.awaitLeader()
        let dead = try XCTUnwrap(cluster.names.last { $0 != leader })
        let live = cluster.names.filter { $0 != dead }
        let stream = SubmitStream(tock: tock, bases: live.map { cluster.base($0) })
        let submitting = Task { await stream.run() }
        _ = try await eventually(within: .seconds(20), "50 acknowledged submits") {
            stream.acknowledged.count >= 50 ? true : nil
        }
        cluster.kill(dead)

        let changeStarted = ContinuousClock.now
        try cluster.start("n4", members: live + ["n4"], join: true)
        let added = try TockBinary.run([
            "shard", "add-node", "n4", "--server", cluster.base(leader),
            "--raft-address", cluster.raftAddress("n4"), "--http-address", cluster.httpAddress("n4"),
        ])
        XCTAssertEqual(added.status, 0, added.stderr)
        let removed = try TockBinary.run(["shard", "remove-node", dead, "--server", cluster.base(leader)])
        XCTAssertEqual(removed.status, 0, removed.stderr)
        let changeEnded = ContinuousClock.now
        let voters = try await cluster.status(of: leader)["voters"]
        XCTAssertEqual(voters, .array((live + ["n4"]).sorted().map { .string($0) }))
        XCTAssertLessThan(
            stream.longestGap(from: changeStarted, to: changeEnded), .seconds(2),
            "submits stalled while the membership changed")

        // The new node was caught up from a snapshot and serves (forwarding) like the others.
        let n4 = try await cluster.status(of: "n4")
        XCTAssertGreaterThan(n4["snapshot_index"]?.int ?? 0, 0)
        stream.startSending(to: cluster.base("n4"))
        let before = stream.acknowledged.count
        _ = try await eventually(within: .seconds(20), "100 more acknowledged submits") {
            stream.acknowledged.count >= before + 100 ? true : nil
        }

        // The group is now {live, n4}: it survives losing the leader, which the old membership could not have
        // done with the dead node still counted.
        cluster.kill(leader)
        stream.stopSending(to: cluster.base(leader))
        let survivors = live.filter { $0 != leader } + ["n4"]
        _ = try await cluster.awaitLeader(among: survivors, within: .seconds(5)) { $0 != leader }
        let after = stream.acknowledged.count
        _ = try await eventually(within: .seconds(10), "submits acknowledged by the new group") {
            stream.acknowledged.count >= after + 20 ? true : nil
        }
        submitting.cancel()
        await submitting.value
        let acknowledged = stream.acknowledged
        _ = try await eventually(within: .seconds(60), "every acknowledged job at the webhook") {
            acknowledged.allSatisfy { !tock.sink.requests(forJob: $0).isEmpty } ? true : nil
        }
    }

    func testLeadershipIsHandedToTheNodeAskedFor() async throws {
        for node in cluster.names { try cluster.start(node) }
        let leader = try await cluster.awaitLeader()
        let target = try XCTUnwrap(cluster.names.first { $0 != leader })
        let keyed = #"{"url": "\#(tock.sink.baseURL)/ok", "delay": "1h", "idempotency_key": "across-leaders"}"#
        let first = try await tock.submit(keyed, base: cluster.base(leader))
        XCTAssertEqual(first.status, 201, "\(first.json)")

        let result = try TockBinary.run(["shard", "transfer-leader", "--server", cluster.base(leader), "--to", target])
        XCTAssertEqual(result.status, 0, result.stderr)
        let newLeader = try await cluster.awaitLeader(within: .seconds(5)) { $0 == target }
        XCTAssertEqual(newLeader, target)

        // Every node's /metrics saw the change; only the new leader samples the queues now.
        let leading = try await eventually("the new leader's queue samples") { () -> PrometheusText? in
            let metrics = try await ObservabilityTests.metrics(cluster.base(target))
            return metrics.value("tock_stream_messages", ["shard": "0", "priority": "normal"]) != nil ? metrics : nil
        }
        XCTAssertEqual(leading.value("tock_raft_is_leader", ["shard": "0"]), 1)
        XCTAssertEqual(leading.value("tock_raft_leader_changes_total", ["shard": "0"]), 1)
        let deposed = try await eventually("the old leader to stop sampling") { () -> PrometheusText? in
            let metrics = try await ObservabilityTests.metrics(cluster.base(leader))
            return metrics.value("tock_stream_messages", ["shard": "0", "priority": "normal"]) == nil ? metrics : nil
        }
        XCTAssertEqual(deposed.value("tock_raft_is_leader", ["shard": "0"]), 0)
        XCTAssertEqual(deposed.value("tock_raft_has_leader", ["shard": "0"]), 1)
        XCTAssertEqual(deposed.value("tock_raft_leader_changes_total", ["shard": "0"]), 1)
        XCTAssertEqual(deposed.value("tock_raft_term", ["shard": "0"]), leading.value("tock_raft_term", ["shard": "0"]))

        let refused = try TockBinary.run(["shard", "transfer-leader", "--server", cluster.base(target), "--to", "n9"])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("to: n9 is not another voter"), refused.stderr)
        // A follower (the old leader) sends it on to the leader, whose refusal comes back whole.
        let forwarded = try await tock.request(
            .POST, "/v1/cluster/transfer-leader", body: #"{"to": "n9"}"#, base: cluster.base(leader))
        XCTAssertEqual(forwarded.status, 400, "\(forwarded.json)")
        XCTAssertEqual(forwarded["error"]?["field"]?.string, "to")

        let created = try await tock.submit(#"{"url": "\#(tock.sink.baseURL)/ok"}"#, base: cluster.base(leader))
        XCTAssertEqual(created.status, 201, "the old leader, now a follower, forwards the submit")

        // The key is in the replicated state machine, so the new leader knows it: the same job, not a second one,
        // alone or in a batch (whose part the old leader forwards as one call).
        let again = try await tock.submit(keyed, base: cluster.base(leader))
        XCTAssertEqual(again.status, 200, "\(again.json)")
        XCTAssertEqual(again["id"], first["id"])
        let batch = try await tock.request(
            .POST, "/v1/jobs:batch", body: #"{"jobs": [\#(keyed), \#(keyed)]}"#,
            base: cluster.base(leader))
        XCTAssertEqual(batch.status, 200, "\(batch.json)")
        guard case .array(let results)? = batch["results"] else { return XCTFail("no results: \(batch.json)") }
        XCTAssertEqual(results.map { $0["status"]?.int }, [200, 200])
        XCTAssertEqual(results.map { $0["job"]?["id"] }, [first["id"], first["id"]])
    }
}

/// Three `tock shard` processes forming shard 0 (and a spare, n4, to join later), each with its own data directory
/// and log file. They share a cluster secret, as production nodes should, so every Raft connection (a joining
/// node's and its snapshot included) runs the authenticated handshake.
final class ShardClusterProcesses: @unchecked Sendable {
    let names = ["n1", "n2", "n3"]
    /// The file passed as `--cluster-secret-file`.
    let secretFile: URL
    private let harness: TockHarness
    private let raftPorts: [String: Int]
    private let httpPorts: [String: Int]
    private var processes: [String: Process] = [:]
    /// With certificates, every node serves HTTPS with them and lists its peers as `https://`.
    private let certificates: TestCertificates?
    /// Trusts `certificates`' CA; nil without TLS.
    let tlsClient: HTTPClient?

    init(harness: TockHarness, certificates: TestCertificates? = nil) {
        self.harness = harness
        self.certificates = certificates
        tlsClient = try? certificates.map { certificates in
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(certificates.caFile))
            var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(1)))
            configuration.tlsConfiguration = tls
            return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        }
        raftPorts = Dictionary(uniqueKeysWithValues: (names + ["n4"]).map { ($0, freeLoopbackPort()) })
        httpPorts = Dictionary(uniqueKeysWithValues: (names + ["n4"]).map { ($0, freeLoopbackPort()) })
        secretFile = harness.dataDirectory.appendingPathComponent("cluster-secret")
        let secret = (0..<32).map { _ in UInt8.random(in: .min ... .max) }
        let text = Data(Data(secret).base64EncodedString().utf8)
        _ = FileManager.default.createFile(
            atPath: secretFile.path, contents: text,
            attributes: [.posixPermissions: 0o600])
    }

    func raftPort(_ node: String) -> Int { raftPorts[node]! }

    func base(_ node: String) -> String { "\(certificates == nil ? "http" : "https")://127.0.0.1:\(httpPorts[node]!)" }
    func raftAddress(_ node: String) -> String { "127.0.0.1:\(raftPorts[node]!)" }
    func httpAddress(_ node: String) -> String {
        (certificates == nil ? "" : "https://") + "127.0.0.1:\(httpPorts[node]!)"
    }

    /// Starts `node` of a group whose nodes are `members` (n1–n3 by default); `join` for a node to be added.
    func start(_ node: String, members: [String]? = nil, join: Bool = false) throws {
        let members = members ?? names
        let peers = members.map { "\($0)=\(raftAddress($0))" }.joined(separator: ",")
        let peerHTTP = members.map { "\($0)=\(httpAddress($0))" }.joined(separator: ",")
        let directory = harness.dataDirectory.appendingPathComponent(node)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let logURL = harness.dataDirectory.appendingPathComponent("\(node).log")
        processes[node] = try TockBinary.launch(
            [
                "shard", "--shard", "0", "--node", node, "--peers", peers, "--peer-http", peerHTTP,
                "--http", "127.0.0.1:\(httpPorts[node]!)", "--data", directory.path, "--nats-url", harness.nats.url,
                "--snapshot-every", "100", "--queue-sample-interval", "100ms", "--log-level", "info",
                "--cluster-secret-file", secretFile.path,
            ] + (join ? ["--join"] : [])
                + (certificates.map {
                    ["--tls-cert", $0.certificateFile, "--tls-key", $0.keyFile, "--tls-ca", $0.caFile]
                } ?? []), log: logURL)
    }

    /// The nodes' logs, for a failed test.
    func printLogs() {
        for node in names + ["n4"] {
            let url = harness.dataDirectory.appendingPathComponent("\(node).log")
            let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
            print(
                "----- \(node).log (last 60 lines)\n" + text.split(separator: "\n").suffix(60).joined(separator: "\n"))
        }
    }

    /// The running process of `node`, to signal it.
    func process(_ node: String) -> Process? { processes[node] }

    func kill(_ node: String) {
        guard let process = processes.removeValue(forKey: node) else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func stopAll() {
        for (_, process) in processes where process.isRunning {
            process.stop()
        }
        processes = [:]
    }

    func status(of node: String) async throws -> JSONValue {
        guard let tlsClient else { return try await harness.request(.GET, "/v1/cluster", base: base(node)).json }
        let response = try await tlsClient.execute(
            HTTPClientRequest(url: base(node) + "/v1/cluster"),
            timeout: .seconds(5))
        return try JSONDecoder().decode(
            JSONValue.self, from: Data(buffer: try await response.body.collect(upTo: 1 << 20)))
    }

    /// The leader every node among `among` agrees on (n1–n3 by default).
    func awaitLeader(
        among nodes: [String]? = nil, within limit: Duration = .seconds(20),
        where accept: @escaping (String) -> Bool = { _ in true }
    ) async throws -> String {
        let nodes = nodes ?? names
        return try await eventually(within: limit, "the nodes \(nodes) to agree on a leader") {
            var leaders: Set<String> = []
            for node in nodes {
                guard let leader = (try? await status(of: node))?["leader"]?.string else { return nil }
                leaders.insert(leader)
            }
            guard leaders.count == 1, let leader = leaders.first, accept(leader) else { return nil }
            return leader
        }
    }
}

/// Submits jobs one after another, round robin over the nodes, and records which were acknowledged (201) and
/// when. Refusals during an election are expected and retried by simply sending the next one. Its client gives up
/// on a dead node at once instead of redialling it until the deadline, as a client with several nodes would.
final class SubmitStream: @unchecked Sendable {
    private let tock: TockHarness
    private let client: HTTPClient = {
        var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(1)))
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()
    private let lock = NSLock()
    private var bases: [String]
    private var acks: [(id: String, at: ContinuousClock.Instant)] = []

    init(tock: TockHarness, bases: [String]) {
        self.tock = tock
        self.bases = bases
    }

    var acknowledged: [String] { lock.withLock { acks.map(\.id) } }

    func firstAcknowledgement(after instant: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        lock.withLock { acks.first { $0.at > instant }?.at }
    }

    func stopSending(to base: String) {
        lock.withLock { bases.removeAll { $0 == base } }
    }

    func startSending(to base: String) {
        lock.withLock { bases.append(base) }
    }

    /// The longest time between two acknowledgements (or from `start` to the first, or the last to `end`).
    func longestGap(from start: ContinuousClock.Instant, to end: ContinuousClock.Instant) -> Duration {
        let times = [start] + lock.withLock { acks.map(\.at) }.filter { $0 > start && $0 < end } + [end]
        return zip(times, times.dropFirst()).map { $1 - $0 }.max() ?? .zero
    }

    func run() async {
        var turn = 0
        while !Task.isCancelled {
            let base = lock.withLock { bases[turn % bases.count] }
            turn += 1
            if let id = try? await submit(to: base) {
                let now = ContinuousClock.now
                lock.withLock { acks.append((id, now)) }
            }
        }
        try? await client.shutdown()
    }

    /// The new job's id if the submit was acknowledged.
    private func submit(to base: String) async throws -> String? {
        var request = HTTPClientRequest(url: base + "/v1/jobs")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: #"{"url": "\#(tock.sink.baseURL)/ok"}"#))
        let response = try await client.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .created,
            let json = try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: bytes))
        else { return nil }
        return json["id"]?.string
    }
}
